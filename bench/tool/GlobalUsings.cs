// The tool's infrastructure, used by every scenario and drill.
global using ChatKit.Bench.Clients;
global using ChatKit.Bench.Common;
global using ChatKit.Bench.Hosting;
global using ChatKit.Bench.Load;
global using ChatKit.Bench.Metrics;
global using ChatKit.Bench.Testing;
global using ChatKit.Testing;
