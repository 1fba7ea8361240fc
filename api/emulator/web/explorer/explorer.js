// GraphiQL against this API: queries and mutations by POST, subscriptions over AppSync's
// real-time protocol (the same client the board uses), the API key prefilled in the headers.
import { AppSyncClient } from "/client/appsync.js";

const ENDPOINT = new URL("/graphql", location.href).toString();
const DEFAULT_QUERY = `# The API key is in the Headers tab below. Run with Ctrl-Enter.
query Recibidas {
  ordersByState(estado: recibida, limit: 10) {
    items { id descripcion fecha_entrega fecha_registro }
    nextToken
  }
}
`;

function isSubscription(query, operationName) {
  const source = query.replace(/#[^\n]*/g, "");
  const named = operationName && new RegExp(`\\b(query|mutation|subscription)\\s+${operationName}\\b`).exec(source);
  const first = named ?? /\b(query|mutation|subscription)\b|^\s*\{/.exec(source);
  return first?.[1] === "subscription";
}

function subscription(client, params) {
  // An Observable, as GraphiQL expects of a fetcher's streaming result.
  return {
    subscribe(observer) {
      const stop = client.subscribe(params.query, params.variables ?? {}, {
        next: (data) => observer.next({ data }),
        error: (error) => observer.next({ errors: error.errors }),
      });
      return { unsubscribe: () => { stop(); client.close(); } };
    },
  };
}

function fetcherFor(headersFallback) {
  return async (params, options) => {
    const headers = { ...headersFallback, ...(options?.headers ?? {}) };
    if (isSubscription(params.query, params.operationName)) {
      return subscription(new AppSyncClient({ url: ENDPOINT, apiKey: headers["x-api-key"] ?? "" }), params);
    }
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(params),
    });
    return response.json();
  };
}

async function main() {
  const served = await fetch("/config.json", { cache: "no-store" })
    .then((response) => (response.ok ? response.json() : {}))
    .catch(() => ({}));
  const fromUrl = new URLSearchParams(location.search).get("headers");
  const headers = fromUrl ?? JSON.stringify({ "x-api-key": served.apiKey ?? "" }, null, 2);
  let parsed = {};
  try {
    parsed = JSON.parse(headers);
  } catch {
    parsed = {};
  }
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcherFor(parsed),
      headers,
      defaultQuery: DEFAULT_QUERY,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    }),
  );
}

if (window.GraphiQL) {
  main();
}
