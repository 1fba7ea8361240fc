// An unchanged Amplify JS v6 app against the emulator in TLS mode: what a frontend team would
// write against AppSync. tests/e2e/test_amplify_client.py runs it with Node (the emulator's CA
// in NODE_EXTRA_CA_CERTS) and asserts on the JSON it prints; this file only observes.
import { Amplify } from "aws-amplify";
import { generateClient } from "aws-amplify/api";
import { attempt, connected, CREATED, failure, within } from "./app_helpers.mjs";

const endpoint = process.env.ORDERS_GRAPHQL;
const apiKey = process.env.ORDERS_API_KEY;
const marker = process.env.ORDERS_MARKER;

Amplify.configure({
  API: { GraphQL: { endpoint, region: "us-east-1", defaultAuthMode: "apiKey", apiKey } },
});
const client = generateClient();

const CREATE = `mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id descripcion estado fecha_registro version }
}`;
const PAGE = `query Page($estado: Estado!, $desde: AWSDateTime, $limit: Int, $nextToken: String) {
  ordersByState(estado: $estado, desde: $desde, limit: $limit, nextToken: $nextToken) {
    items { id descripcion }
    nextToken
  }
}`;
const MOVE = `mutation Move($id: ID!, $estado: Estado!) {
  updateOrderState(id: $id, estado: $estado) { id estado }
}`;

const report = {};
const desde = new Date().toISOString();

// Create with variables.
const created = await client.graphql({
  query: CREATE,
  variables: { input: { descripcion: `${marker} uno`, fecha_entrega: "2099-12-31" } },
});
report.created = created.data.createOrder;

// Page with nextToken.
for (const n of ["dos", "tres"]) {
  await client.graphql({
    query: CREATE,
    variables: { input: { descripcion: `${marker} ${n}`, fecha_entrega: "2099-12-31" } },
  });
}
const first = await client.graphql({ query: PAGE, variables: { estado: "recibida", desde, limit: 2 } });
const second = await client.graphql({
  query: PAGE,
  variables: { estado: "recibida", desde, limit: 2, nextToken: first.data.ordersByState.nextToken },
});
report.pages = [first.data.ordersByState, second.data.ordersByState];

// An illegal transition (recibida -> completada).
report.illegal = await attempt(() =>
  client.graphql({ query: MOVE, variables: { id: report.created.id, estado: "completada" } }),
);

// A wrong key.
report.wrongKey = await attempt(() =>
  client.graphql({ query: PAGE, variables: { estado: "recibida" }, apiKey: "not-the-key" }),
);

// A subscription receives an order that another client (a plain fetch) creates.
const ready = connected();
const received = new Promise((resolve, reject) => {
  const subscription = client
    .graphql({ query: CREATED, variables: { estado: "recibida" } })
    .subscribe({
      next: ({ data }) => {
        if (data.onOrderCreated?.descripcion === `${marker} ajena`) {
          subscription.unsubscribe();
          resolve(data.onOrderCreated);
        }
      },
      error: (error) => reject(new Error(JSON.stringify(failure(error)))),
    });
});
await within(ready, "subscription acknowledged");
const other = await fetch(endpoint, {
  method: "POST",
  headers: { "content-type": "application/json", "x-api-key": apiKey },
  body: JSON.stringify({
    query: CREATE,
    variables: { input: { descripcion: `${marker} ajena`, fecha_entrega: "2099-12-31" } },
  }),
});
report.otherClientStatus = other.status;
report.subscription = await within(received, "subscription data");

// A subscription with a wrong key, once the socket above has closed (Amplify closes an idle
// one after a second): AppSync answers its connection_init with a connection_error.
await new Promise((resolve) => setTimeout(resolve, 1500));
report.wrongKeySubscription = await within(
  new Promise((resolve) => {
    client
      .graphql({ query: CREATED, variables: {}, apiKey: "not-the-key" })
      .subscribe({ next: () => resolve({ unexpected: "data" }), error: (e) => resolve(failure(e)) });
  }),
  "wrong-key subscription refused",
);

console.log(JSON.stringify(report));
process.exit(0);
