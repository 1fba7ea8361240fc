// A small AppSync client for the browser, with no dependencies: GraphQL over HTTP with an API
// key, and subscriptions over AppSync's own real-time protocol (AWS AppSync Developer Guide,
// "Building a real-time WebSocket client"). The same code talks to `orders serve` and to a
// deployed AppSync API; only the URL and the key differ.

/** A GraphQL answer with errors, or an HTTP failure, as AppSync reports it. */
export class AppSyncError extends Error {
  constructor(errors, data = null) {
    const first = errors[0] ?? {};
    super(first.message ?? "Request failed");
    this.name = "AppSyncError";
    this.errorType = first.errorType ?? null;
    this.errors = errors;
    this.data = data;
  }
}

// AppSync's own domains have a separate real-time host; any other (a custom domain, the
// emulator) serves it at <graphql URL>/realtime. Amplify JS resolves it the same way.
const APPSYNC_HOST = /^\w{26}\.appsync-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i;

export function realtimeUrl(graphqlUrl) {
  const url = new URL(graphqlUrl);
  if (APPSYNC_HOST.test(url.hostname)) {
    url.hostname = url.hostname.replace("appsync-api", "appsync-realtime-api");
  } else {
    url.pathname = `${url.pathname.replace(/\/$/, "")}/realtime`;
  }
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  return url.toString();
}

function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export class AppSyncClient {
  /** `token`: a Cognito user pool token (sent as `Authorization`), used instead of the key. */
  constructor({ url, apiKey, token = null }) {
    this.url = url;
    this.apiKey = apiKey;
    this.token = token;
    this.realtime = null;
  }

  /** What authorizes a request: the user's token, or else the API key. */
  credentials() {
    return this.token ? { Authorization: this.token } : { "x-api-key": this.apiKey };
  }

  /** The auth headers AppSync's real-time protocol asks for (the same, with the host). */
  authorization() {
    return { host: new URL(this.url).host, ...this.credentials() };
  }

  /** Runs a query or mutation; resolves with `data`, rejects with an AppSyncError. */
  async graphql(query, variables = {}) {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.credentials() },
      body: JSON.stringify({ query, variables }),
    });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body?.errors?.length) throw new AppSyncError(body.errors, body.data ?? null);
    if (!response.ok || !body) {
      const errorType = response.headers.get("x-amzn-ErrorType") ?? `HTTP ${response.status}`;
      throw new AppSyncError([{ errorType, message: response.statusText || "Request failed" }]);
    }
    return body.data;
  }

  /**
   * Subscribes over the real-time WebSocket (one per client, shared by its subscriptions).
   * `handlers`: next(data), error(AppSyncError), ready() once AppSync acknowledged it.
   * Returns a function that stops the subscription.
   */
  subscribe(query, variables, handlers) {
    this.realtime ??= new RealtimeConnection(this);
    return this.realtime.add({ query, variables, ...handlers });
  }

  /** Connection state changes: "connecting", "live", "offline", "refused". */
  onStatus(listener) {
    this.realtime ??= new RealtimeConnection(this);
    this.realtime.listeners.add(listener);
  }

  close() {
    this.realtime?.close();
    this.realtime = null;
  }
}

const RETRY_MS = [500, 1000, 2000, 5000];

class RealtimeConnection {
  constructor(client) {
    this.client = client;
    this.subscriptions = new Map();
    this.listeners = new Set();
    this.socket = null;
    this.acknowledged = false;
    this.retries = 0;
    this.watchdog = null;
    this.closed = false;
  }

  add(subscription) {
    const id = crypto.randomUUID();
    this.subscriptions.set(id, subscription);
    if (this.acknowledged) this.start(id, subscription);
    else this.open();
    return () => {
      if (this.subscriptions.delete(id) && this.acknowledged) this.send({ type: "stop", id });
    };
  }

  status(state, detail) {
    for (const listener of this.listeners) listener(state, detail);
  }

  open() {
    if (this.socket || this.closed) return;
    // Amplify v6's form: the auth header as a base64url subprotocol beside graphql-ws.
    const header = `header-${base64url(JSON.stringify(this.client.authorization()))}`;
    const socket = new WebSocket(realtimeUrl(this.client.url), ["graphql-ws", header]);
    this.socket = socket;
    this.status("connecting");
    socket.addEventListener("open", () => this.send({ type: "connection_init" }));
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", () => this.dropped(socket));
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  start(id, { query, variables }) {
    this.send({
      id,
      type: "start",
      payload: {
        data: JSON.stringify({ query, variables }),
        extensions: { authorization: this.client.authorization() },
      },
    });
  }

  receive(message) {
    const subscription = this.subscriptions.get(message.id);
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.retries = 0;
        this.timeoutMs = message.payload?.connectionTimeoutMs ?? 300000;
        this.keptAlive();
        this.status("live");
        for (const [id, each] of this.subscriptions) this.start(id, each);
        break;
      case "ka":
        this.keptAlive();
        break;
      case "start_ack":
        subscription?.ready?.();
        break;
      case "data":
        subscription?.next?.(message.payload?.data ?? null);
        break;
      case "error": {
        const error = new AppSyncError(message.payload?.errors ?? []);
        if (subscription) {
          this.subscriptions.delete(message.id);
          subscription.error?.(error);
        }
        break;
      }
      case "connection_error": {
        // A wrong key: retrying would not help.
        const error = new AppSyncError(message.payload?.errors ?? []);
        this.closed = true;
        this.status("refused", error);
        for (const each of this.subscriptions.values()) each.error?.(error);
        this.subscriptions.clear();
        break;
      }
      default:
        break;
    }
  }

  // No `ka` within connectionTimeoutMs: the connection is dead even if the socket says not.
  keptAlive() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.socket?.close(), this.timeoutMs);
  }

  dropped(socket) {
    if (socket !== this.socket) return;
    clearTimeout(this.watchdog);
    this.socket = null;
    this.acknowledged = false;
    if (this.closed) return;
    this.status("offline");
    if (this.subscriptions.size === 0) return;
    const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    setTimeout(() => this.open(), delay);
  }

  close() {
    this.closed = true;
    clearTimeout(this.watchdog);
    this.socket?.close();
  }
}
