#!/usr/bin/env python3
"""Summarise a dotnet-trace thread-time profile (speedscope JSON) as an on-CPU profile (samples marked CPU_TIME).

dotnet-trace's `dotnet-sampled-thread-time` samples every managed thread, waiting or not. This drops the samples whose
leaf frame is a wait (Monitor.Wait, semaphores, socket/epoll waits, ...), so what remains approximates CPU time, and
prints the frames with the largest inclusive share of the on-CPU samples.

usage: oncpu.py trace.speedscope.json [top-N] [substring ...]
"""
import json, sys, collections

WAIT = ("Monitor.Wait", "LowLevelLifoSemaphore.WaitForSignal", "WaitHandle.WaitOne", "ManualResetEventSlim.Wait",
        "Interop+Sys.Read(", "WaitForSignal", "SemaphoreSlim.Wait", "Thread.Sleep", "Interop+Sys.WaitForSocketEvents",
        "SocketAsyncEngine.EventLoop", "WaitNative", "WaitOneCore", "Missing Symbol", "EventPipe", "Thread.Join",
        "LowLevelSpinWaiter", "Interop+Sys.Poll", "Kernel32.ReleaseSemaphore", "CreateManifestAndDescriptors")

def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    wanted = sys.argv[3:]
    doc = json.load(open(path))
    frames = [f["name"] for f in doc["shared"]["frames"]]
    incl = collections.Counter()
    leaf = collections.Counter()
    total = oncpu = 0
    def weighted_stacks(prof):
        if prof["type"] == "sampled":
            yield from zip(prof["samples"], prof["weights"])
            return
        # evented: time between two events belongs to the stack open at the time
        stack, last = [], None
        for e in prof["events"]:
            if last is not None and stack and e["at"] > last:
                yield list(stack), e["at"] - last
            last = e["at"]
            if e["type"] == "O":
                stack.append(e["frame"])
            elif stack:
                stack.pop()

    for prof in doc["profiles"]:
        for stack, w in weighted_stacks(prof):
            total += w
            if not stack:
                continue
            names = [frames[i] for i in stack]
            # dotnet-trace marks each sample's state with a pseudo-frame leaf: CPU_TIME (running managed code),
            # UNMANAGED_CODE_TIME (in native code: waits, syscalls, but also native crypto or GC).
            if names[-1] != "CPU_TIME":
                continue
            names = names[:-1]
            oncpu += w
            leaf[names[-1] if names else "?"] += w
            for n in set(names):
                incl[n] += w
    print(f"samples: {total:.0f} weight, on CPU (leaf not a wait): {oncpu:.0f} ({100*oncpu/max(total,1):.1f}%)")
    if wanted:
        for s in wanted:
            hit = sum(w for n, w in incl.items() if s in n and n == max((m for m in incl if s in m), key=lambda m: incl[m]))
            best = max((m for m in incl if s in m), key=lambda m: incl[m], default=None)
            print(f"{100*incl[best]/max(oncpu,1):6.1f}%  {s}  ({best[:110] if best else 'absent'})")
        return
    print("-- inclusive (share of on-CPU samples)")
    for n, w in incl.most_common(top):
        print(f"{100*w/oncpu:6.1f}%  {n[:150]}")
    print("-- exclusive (leaf)")
    for n, w in leaf.most_common(25):
        print(f"{100*w/oncpu:6.1f}%  {n[:150]}")

main()
