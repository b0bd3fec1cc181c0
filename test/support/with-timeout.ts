/**
 * Races a promise against a deadline. On expiry the returned promise rejects with an Error naming
 * `what`; the original promise keeps running (callers own its cleanup, e.g. `SippServer.stop()`).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
