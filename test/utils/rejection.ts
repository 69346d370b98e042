/**
 * The error a call fails with, whether it rejects or throws before returning a promise (some client functions check
 * their input synchronously). Fails the test when the call succeeds.
 */
export async function rejectionOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
