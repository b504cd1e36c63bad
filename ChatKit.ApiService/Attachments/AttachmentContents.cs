using Npgsql;

namespace ChatKit.ApiService.Attachments;

/// <summary>
/// Where attachment bytes live. Every replica must see the same bytes and a redeploy must keep them, so never a
/// container's disk: PostgreSQL by default (<see cref="PostgresAttachmentContents"/>, no new infrastructure); a blob
/// store can take its place by implementing this interface.
/// </summary>
public interface IAttachmentContents
{
    /// <summary>Stores an attachment's bytes once; false when bytes for it exist already or the attachment is gone.</summary>
    Task<bool> SaveAsync(string attachmentId, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The bytes, or null when there are none.</summary>
    Task<byte[]?> ReadAsync(string attachmentId, CancellationToken ct);

    Task DeleteAsync(IReadOnlyCollection<string> attachmentIds, CancellationToken ct);
}

/// <summary>
/// Attachment bytes in <c>attachment_contents</c> (bytea, one row per attachment, deleted with it). Reads fetch the
/// whole value (at most <c>ChatKit:Attachments:MaxBytes</c>) and give the connection back before the response is
/// written, so a slow client never holds a pooled connection.
/// </summary>
public sealed class PostgresAttachmentContents(NpgsqlDataSource dataSource) : IAttachmentContents
{
    public async Task<bool> SaveAsync(string attachmentId, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO attachment_contents (attachment_id, data) VALUES ($1, $2) ON CONFLICT (attachment_id) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = attachmentId });
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = content, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        try
        {
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return false; // deleted while its bytes were arriving
        }
    }

    public async Task<byte[]?> ReadAsync(string attachmentId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT data FROM attachment_contents WHERE attachment_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = attachmentId });
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> attachmentIds, CancellationToken ct)
    {
        if (attachmentIds.Count == 0) return;
        await using var command = dataSource.CreateCommand("DELETE FROM attachment_contents WHERE attachment_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = attachmentIds.ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }
}
