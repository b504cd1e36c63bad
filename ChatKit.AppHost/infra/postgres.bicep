// Azure Database for PostgreSQL Flexible Server for ChatKit's databases.
// The AppHost emits it in publish mode as the `azure.bicep.v0` resource `postgres` (Postgres/AzurePostgresFlexibleServer.cs);
// azd copies this file alone into its generated main.bicep, so it must stay self-contained (no modules).
// Checked offline by ChatKit.Tests/Deploy (bicep build + lint, parameters and outputs against the manifest).

@description('Where the server lives; azd passes the environment\'s location.')
param location string = resourceGroup().location

@description('The administrator login. Azure refuses reserved names (azure_superuser, azure_pg_admin, admin, administrator, root, guest, public) and names starting with pg_; the AppHost has azd generate 16 lowercase letters.')
@minLength(1)
@maxLength(63)
param administratorLogin string

@description('The administrator password; the AppHost has azd generate one (letters and digits, at least 32).')
@secure()
@minLength(8)
@maxLength(128)
param administratorLoginPassword string

@description('The databases to create: conversationsdb (API), tasksdb (agent), authdb (web app, Better Auth).')
param databases string[]

@description('The server name, unique across Azure: it becomes <name>.postgres.database.azure.com.')
@minLength(3)
@maxLength(63)
param serverName string = take('chatkit-pg-${uniqueString(resourceGroup().id)}', 63)

@description('Compute size. Standard_B2s (Burstable, 2 vCores, 4 GiB) allows 414 user connections: every service replica at its maximum with a pool of 20 (web 10) fits; Standard_B1ms allows only 35. Scale up with e.g. Standard_D2ds_v5 and tier GeneralPurpose.')
param skuName string = 'Standard_B2s'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string = 'Burstable'

@description('Storage in GiB; it grows by itself when nearly full (it never shrinks).')
@minValue(32)
param storageSizeGB int = 32

@description('PostgreSQL major version.')
param version string = '16'

@description('Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param backupRetentionDays int = 7

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: serverName
  location: location
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorLoginPassword
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// 0.0.0.0-0.0.0.0 is Azure's convention for "Azure services": the container apps reach the server, the internet does not.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// TLS is required (Azure's default too; pinned so that it stays so). The server takes one change at a time, hence dependsOn.
resource requireSecureTransport 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
  dependsOn: [
    allowAzureServices
  ]
}

resource minimumTlsVersion 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'ssl_min_protocol_version'
  properties: {
    value: 'TLSv1.2'
    source: 'user-override'
  }
  dependsOn: [
    requireSecureTransport
  ]
}

// The agent's migrations create pg_trgm (fuzzy task search in the database); Flexible Server only allows extensions
// named here.
resource allowedExtensions 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'azure.extensions'
  properties: {
    value: 'PG_TRGM'
    source: 'user-override'
  }
  dependsOn: [
    minimumTlsVersion
  ]
}

@batchSize(1)
resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = [
  for name in databases: {
    parent: server
    name: name
    properties: {
      charset: 'UTF8'
      collation: 'en_US.utf8'
    }
    dependsOn: [
      allowedExtensions
    ]
  }
]

@description('The server\'s host name, e.g. chatkit-pg-abc123.postgres.database.azure.com; the services\' connection strings use it.')
output hostName string = server.properties.fullyQualifiedDomainName

output name string = server.name
