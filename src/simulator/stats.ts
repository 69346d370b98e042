/** Calls per operation: a SIP call's key is its service (SipService spelling), an AI call's its route. */
export interface CallStats {
  /** Calls of one operation since the last reset (the key is matched case-insensitively). */
  count(operation: string): number;
  /** Every call since the last reset. */
  total(): number;
  snapshot(): Record<string, number>;
  reset(): void;
}

export interface CallCounter extends CallStats {
  increment(operation: string): void;
}

export function createCallStats(): CallCounter {
  const counts = new Map<string, number>();
  return {
    increment(operation) {
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    },
    count(operation) {
      const exact = counts.get(operation);
      if (exact !== undefined) return exact;
      const lower = operation.trim().toLowerCase();
      let sum = 0;
      for (const [key, value] of counts) if (key.toLowerCase() === lower) sum += value;
      return sum;
    },
    total() {
      let sum = 0;
      for (const value of counts.values()) sum += value;
      return sum;
    },
    snapshot() {
      return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
    },
    reset() {
      counts.clear();
    },
  };
}
