using Aspire.Hosting.Publishing;

namespace ChatKit.AppHost.Postgres;

/// <summary>
/// Azure Database for PostgreSQL Flexible Server, described by the committed Bicep file <c>infra/postgres.bicep</c> and
/// published as an <c>azure.bicep.v0</c> resource, which azd provisions and wires into the container apps. Core Aspire
/// APIs only (the Aspire.Hosting.Azure.* packages are not available to this project). Publish mode only: nothing runs.
/// </summary>
public sealed class AzurePostgresFlexibleServerResource(string name, string bicepPath,
    ParameterResource administratorLogin, ParameterResource administratorPassword)
    : Resource(name), IResourceWithConnectionString
{
    /// <summary>The Bicep output that holds the server's host name.</summary>
    public const string HostNameOutput = "hostName";

    public string BicepPath { get; } = bicepPath;
    public ParameterResource AdministratorLogin { get; } = administratorLogin;
    public ParameterResource AdministratorPassword { get; } = administratorPassword;
    internal List<AzurePostgresDatabaseResource> Databases { get; } = [];

    public BicepOutputReference HostName => new(this, HostNameOutput);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={HostName};Username={AdministratorLogin};Password={AdministratorPassword};SSL Mode=Require");
}

/// <summary>A database on the flexible server; its connection string is the server's plus <c>Database=</c>.</summary>
public sealed class AzurePostgresDatabaseResource(string name, string databaseName, AzurePostgresFlexibleServerResource parent)
    : Resource(name), IResourceWithParent<AzurePostgresFlexibleServerResource>, IResourceWithConnectionString
{
    public AzurePostgresFlexibleServerResource Parent { get; } = parent;
    public string DatabaseName { get; } = databaseName;
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

/// <summary>An output of a Bicep resource, written into the manifest as <c>{resource.outputs.name}</c>; azd resolves it.</summary>
public sealed class BicepOutputReference(IResource resource, string name) : IManifestExpressionProvider, IValueProvider, IValueWithReferences
{
    public IResource Resource { get; } = resource;
    public string Name { get; } = name;
    public string ValueExpression => $"{{{Resource.Name}.outputs.{Name}}}";
    public IEnumerable<object> References => [Resource];

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"{ValueExpression} exists only in a deployment: azd resolves it from the Bicep outputs.");
}

public static class AzurePostgresFlexibleServerExtensions
{
    public const string AdministratorLoginSuffix = "-admin";
    public const string AdministratorPasswordSuffix = "-password";

    /// <summary>
    /// Adds the flexible server of <c>infra/postgres.bicep</c> with two parameters azd generates on the first
    /// <c>azd up</c> and keeps in its environment: <c>{name}-admin</c> (16 lowercase letters: longer than any login
    /// Azure reserves, and no <c>pg_</c> prefix) and the secret <c>{name}-password</c> (32 letters and digits: no character that needs quoting in a
    /// connection string). Publish mode only.
    /// </summary>
    public static IResourceBuilder<AzurePostgresFlexibleServerResource> AddAzurePostgresFlexibleServer(
        this IDistributedApplicationBuilder builder, string name)
    {
        if (!builder.ExecutionContext.IsPublishMode)
            throw new InvalidOperationException("The Azure PostgreSQL server exists only when publishing (azd); run mode uses Postgres:Mode.");

        var login = builder.AddParameter(name + AdministratorLoginSuffix,
            new GenerateParameterDefault { MinLength = 16, Upper = false, Numeric = false, Special = false }, secret: false, persist: false);
        var password = builder.AddParameter(name + AdministratorPasswordSuffix,
            new GenerateParameterDefault { MinLength = 32, Special = false, MinLower = 1, MinUpper = 1, MinNumeric = 1 }, secret: true, persist: false);
        var bicepPath = Path.Combine(builder.AppHostDirectory, "infra", "postgres.bicep");
        var server = new AzurePostgresFlexibleServerResource(name, bicepPath, login.Resource, password.Resource);
        return builder.AddResource(server)
            .WithManifestPublishingCallback(context => WriteBicepResource(context, server));
    }

    public static IResourceBuilder<AzurePostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<AzurePostgresFlexibleServerResource> server, string name, string? databaseName = null)
    {
        var database = new AzurePostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(database);
        return server.ApplicationBuilder.AddResource(database)
            .WithManifestPublishingCallback(context =>
            {
                context.Writer.WriteString("type", "value.v0");
                context.Writer.WriteString("connectionString", database.ConnectionStringExpression.ValueExpression);
            });
    }

    /// <summary>
    /// What azd reads (Azure/azure-dev cli/azd/pkg/apphost): <c>path</c> to one self-contained Bicep file, relative to
    /// the manifest; <c>params</c> by name (<c>{p.value}</c> becomes a main.bicep parameter; azd adds <c>location</c>);
    /// <c>connectionString</c>, whose <c>{postgres.outputs.hostName}</c> becomes a deployment output.
    /// </summary>
    static void WriteBicepResource(ManifestPublishingContext context, AzurePostgresFlexibleServerResource server)
    {
        var writer = context.Writer;
        writer.WriteString("type", "azure.bicep.v0");
        writer.WriteString("connectionString", server.ConnectionStringExpression.ValueExpression);
        writer.WriteString("path", context.GetManifestRelativePath(server.BicepPath));
        writer.WriteStartObject("params");
        writer.WriteString("administratorLogin", server.AdministratorLogin.ValueExpression);
        writer.WriteString("administratorLoginPassword", server.AdministratorPassword.ValueExpression);
        writer.WriteStartArray("databases");
        foreach (var database in server.Databases) writer.WriteStringValue(database.DatabaseName);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
