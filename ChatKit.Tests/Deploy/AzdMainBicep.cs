using System.Text;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// The main.bicep azd generates in memory for <c>azd provision</c> (its main.bicept with the values generate.go's
/// BicepTemplate gives it: parameters from the manifest's inputs, one module per <c>azure.bicep.v0</c> resource copied to
/// <c>{name}/{file}</c>, outputs for every <c>{res.outputs.X}</c>), laid out in a folder with the Bicep files it calls,
/// so that the Bicep CLI can type-check the module calls against our files. azd's resources.bicep (registry,
/// identity, Log Analytics, Container Apps environment) is replaced by a stub with the same outputs: it is azd's code.
/// </summary>
public static class AzdMainBicep
{
    static readonly string[] ResourcesOutputs =
    [
        "MANAGED_IDENTITY_CLIENT_ID", "MANAGED_IDENTITY_NAME", "MANAGED_IDENTITY_PRINCIPAL_ID",
        "AZURE_LOG_ANALYTICS_WORKSPACE_NAME", "AZURE_LOG_ANALYTICS_WORKSPACE_ID",
        "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID", "AZURE_CONTAINER_REGISTRY_NAME",
        "AZURE_CONTAINER_APPS_ENVIRONMENT_NAME", "AZURE_CONTAINER_APPS_ENVIRONMENT_ID", "AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN",
    ];

    /// <summary>Writes main.bicep, resources.bicep and the modules into <paramref name="directory"/>; returns main.bicep's path.</summary>
    public static string WriteTo(string directory, PublishedManifest manifest)
    {
        var azd = manifest.Azd;
        foreach (var module in azd.BicepModules.Values)
        {
            var target = Path.Combine(directory, module.Name, Path.GetFileName(module.Path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(manifest.FullPath(module.Path), target, overwrite: true);
        }
        File.WriteAllText(Path.Combine(directory, "resources.bicep"), ResourcesStub());
        var main = Path.Combine(directory, "main.bicep");
        File.WriteAllText(main, Render(azd));
        return main;
    }

    public static string Render(Azd azd)
    {
        var bicep = new StringBuilder();
        void Line(string text) => bicep.Append(text).Append('\n');

        Line("targetScope = 'subscription'");
        Line("param environmentName string");
        Line("param location string");
        Line("param principalId string = ''");
        foreach (var (name, input) in azd.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            if (input.GenerateMetadata() is { } config)
            {
                Line("@metadata({azd: {");
                Line("  type: 'generate'");
                Line($"  config: {config}");
                Line("  }");
                Line("})");
            }
            if (input.Secret) Line("@secure()");
            Line($"param {Identifier(name)} {input.Type}{(input.DefaultValue is { } value ? $" = '{value}'" : "")}");
        }
        Line("var tags = {");
        Line("  'azd-env-name': environmentName");
        Line("}");
        Line("resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {");
        Line("  name: 'rg-${environmentName}'");
        Line("  location: location");
        Line("  tags: tags");
        Line("}");
        Line("module resources 'resources.bicep' = {");
        Line("  scope: rg");
        Line("  name: 'resources'");
        Line("  params: {");
        Line("    location: location");
        Line("    tags: tags");
        Line("    principalId: principalId");
        Line("  }");
        Line("}");
        foreach (var module in azd.BicepModules.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            Line($"module {Identifier(module.Name)} '{module.Name}/{Path.GetFileName(module.Path)}' = {{");
            Line($"  name: '{module.Name}'");
            Line("  scope: rg");
            Line("  params: {");
            foreach (var (name, value) in module.Parameters) Line($"    {name}: {value}");
            Line("  }");
            Line("}");
        }
        foreach (var output in ResourcesOutputs.Where(o => o != "MANAGED_IDENTITY_PRINCIPAL_ID" && o != "AZURE_LOG_ANALYTICS_WORKSPACE_ID"))
        {
            Line($"output {output} string = resources.outputs.{output}");
        }
        foreach (var (name, value) in azd.OutputParameters) Line($"output {Identifier(name)} string = {Identifier(value)}");
        // azd writes this line as it is, dashes and all (main.bicept: `= {{$parameter.Name}}`).
        foreach (var (name, input) in azd.Inputs.Where(i => i.Value.DefaultValue is not null).OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            Line($"output {AzureSnakeCase(name)} {input.Type} = {name}");
        }
        return bicep.ToString();
    }

    static string ResourcesStub()
    {
        var bicep = new StringBuilder();
        bicep.Append("param location string = resourceGroup().location\nparam principalId string = ''\nparam tags object = {}\n");
        bicep.Append("output STUB_INPUTS string = '${location}${principalId}${string(tags)}'\n");
        foreach (var output in ResourcesOutputs) bicep.Append($"output {output} string = 'stub'\n");
        return bicep.ToString();
    }

    static string Identifier(string name) => name.Replace('-', '_');

    /// <summary>scaffold.AzureSnakeCase: the azd environment name of a parameter.</summary>
    public static string AzureSnakeCase(string name) =>
        "AZURE_" + System.Text.RegularExpressions.Regex.Replace(name, "([a-z0-9])([A-Z])", "$1_$2").ToUpperInvariant().Replace('-', '_');
}
