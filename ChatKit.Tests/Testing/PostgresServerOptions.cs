namespace ChatKit.Testing;

/// <summary>
/// How a <see cref="PostgresServer"/> is set up. The defaults are the tests' throwaway server: no durability, in the
/// temporary directory, PostgreSQL's stock max_connections, its log in its data directory. The benchmark sets all of them.
/// </summary>
public sealed record PostgresServerOptions
{
    /// <summary>
    /// PostgreSQL's default durability (fsync, synchronous_commit and full_page_writes on), as in production. Off by
    /// default: nothing a test writes has to survive a crash, and a commit then costs no disk flush.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>The directory the cluster's own directory is made in.</summary>
    public string DataRoot { get; init; } = Path.GetTempPath();

    /// <summary>
    /// The start of the cluster directory's name (then the owning process's id): clusters with this prefix whose
    /// process is gone are stopped and deleted when the next server starts.
    /// </summary>
    public string DirectoryPrefix { get; init; } = "chatkit-tests-pg-";

    /// <summary>The server's max_connections; PostgreSQL's own default (100) when null.</summary>
    public int? MaxConnections { get; init; }

    /// <summary>More server settings, each <c>name=value</c> for <c>-c</c> (through pg_ctl's shell: no spaces or quotes).</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>
    /// The postmaster as a child of this process, in its session, instead of pg_ctl's detached server in a session of its
    /// own. Linux's autogroup scheduler shares the CPU between sessions, so under load a detached server gets half of it
    /// whatever the rest needs: the benchmark measured its services 15% slower on instant turns that way.
    /// </summary>
    public bool InThisSession { get; init; }

    /// <summary>The file the server's log is appended to; <c>server.log</c> in the data directory when null.</summary>
    public string? LogFile { get; init; }
}
