using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ChatKit.Tests.Fast.Foundation;

/// <summary>The Npgsql settings both services' data sources get (docs/benchmarks.md), and that a deployment can override them.</summary>
public sealed class PostgresConnectionsTests
{
    [Fact]
    public void AddsAutoPrepareAndNoResetOnCloseToAPlainConnectionString()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.ForServices("Host=db;Database=tasksdb;Username=app;Password=secret"));

        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(PostgresConnections.DefaultMaxPoolSize, tuned.MaxPoolSize);
        Assert.Equal("db", tuned.Host);
        Assert.Equal("tasksdb", tuned.Database);
        Assert.Equal("secret", tuned.Password);
    }

    [Fact]
    public void KeepsWhatTheConnectionStringAlreadySays()
    {
        var tuned = new NpgsqlConnectionStringBuilder(
            PostgresConnections.ForServices("Host=db;Database=x;Max Auto Prepare=5;No Reset On Close=false;Maximum Pool Size=50"));

        Assert.Equal(5, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(50, tuned.MaxPoolSize);
    }

    [Theory]
    [InlineData("MaxPoolSize=7")]
    [InlineData("maximum pool size=7")]
    [InlineData("Maximum Pool Size=7")]
    public void KeepsAnExplicitPoolSizeHoweverItIsSpelled(string setting)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.ForServices("Host=db;Database=x;" + setting));

        Assert.Equal(7, tuned.MaxPoolSize);
    }
}
