namespace ChatKit.Bench.Hosting;

/// <summary>kill(2): signals to the processes under test (SIGSTOP / SIGCONT / SIGKILL in the drills).</summary>
public static class Syscall
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int sig);
    public static void Kill(int pid, int sig) => SysKill(pid, sig);
}
