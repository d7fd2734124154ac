/**
 * Every timer the simulator starts (state steps, delayed responses, delivery retries) goes through here,
 * unref'd so that it never keeps a process alive on its own, and cleared all at once on reset/close so
 * that jest exits cleanly and nothing fires into a closed simulator.
 */
export class StepTimers {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.pending.add(timer);
    return timer;
  }

  /** A promise resolved after `ms`; it never settles if the timers are cleared first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.pending.delete(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
