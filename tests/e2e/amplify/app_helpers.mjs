// What both Amplify apps (amplify_client.mjs, amplify_user_pool.mjs) do the same way around
// Amplify's own calls: bound a wait, report a failure as the app sees it, and wait for a
// subscription to be acknowledged.
import { Hub } from "aws-amplify/utils";

const WAIT_MS = 15000;

export const CREATED = `subscription Created($estado: Estado) {
  onOrderCreated(estado: $estado) { id descripcion estado }
}`;

export function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What Amplify hands the app when a request fails: the GraphQL errors it built.
export function failure(error) {
  const first = error?.errors?.[0] ?? {};
  return {
    message: first.message ?? String(error),
    errorType: first.errorType ?? null,
    originalErrorName: first.originalError?.name ?? null,
  };
}

export async function attempt(run) {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error: failure(error) };
  }
}

// Amplify reports "Connected" once AppSync acknowledged a subscription (start_ack).
export function connected() {
  return new Promise((resolve) => {
    const stop = Hub.listen("api", ({ payload }) => {
      if (payload.event === "ConnectionStateChange" && payload.data.connectionState === "Connected") {
        stop();
        resolve();
      }
    });
  });
}
