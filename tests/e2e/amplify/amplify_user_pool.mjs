// An unchanged Amplify JS v6 app that signs in against the emulator's Cognito user pool and
// calls the API with authMode "userPool", configured only from the emulator's /health, as
// docs/identity.md shows. tests/e2e/test_amplify_user_pool.py creates the users, runs this
// with Node and asserts on the JSON it prints; this file only observes.
//
// ORDERS_SCENARIO=flows: a tecnico signs in with SRP, creates, pages, subscribes, tries to
// cancel; a supervisor signs in with USER_PASSWORD_AUTH and cancels.
// ORDERS_SCENARIO=mfa: against `orders serve --mfa`, a user sets up TOTP at first sign-in
// and signs in again with a code, both computed here (RFC 6238, as an authenticator app).
import { createHmac } from "node:crypto";
import { Amplify } from "aws-amplify";
import { generateClient } from "aws-amplify/api";
import { confirmSignIn, signIn, signOut } from "aws-amplify/auth";
import { attempt, connected, CREATED, failure, within } from "./app_helpers.mjs";

const health = JSON.parse(process.env.ORDERS_HEALTH);
const apiKey = process.env.ORDERS_API_KEY;
const marker = process.env.ORDERS_MARKER;
const password = process.env.ORDERS_PASSWORD;

// The auth flows Amplify asked Cognito for, seen on the wire.
const authFlows = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const target = init?.headers?.["x-amz-target"] ?? init?.headers?.["X-Amz-Target"];
  if (typeof target === "string" && target.endsWith(".InitiateAuth")) {
    authFlows.push(JSON.parse(init.body).AuthFlow);
  }
  return realFetch(input, init);
};

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: health.cognito.userPoolId,
      userPoolClientId: health.cognito.userPoolClientId,
      userPoolEndpoint: health.cognito.endpoint,
    },
  },
  API: {
    GraphQL: { endpoint: health.graphql, region: health.cognito.region, defaultAuthMode: "userPool" },
  },
});
const client = generateClient();

const CREATE = `mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id descripcion estado version }
}`;
const PAGE = `query Page($estado: Estado!, $desde: AWSDateTime, $limit: Int, $nextToken: String) {
  ordersByState(estado: $estado, desde: $desde, limit: $limit, nextToken: $nextToken) {
    items { id descripcion } nextToken
  }
}`;
const CANCEL = `mutation Cancel($id: ID!) {
  updateOrderState(id: $id, estado: cancelada, motivo: "ya no hace falta") { id estado version }
}`;
const GET = `query Get($id: ID!) { getOrder(id: $id) { id estado version } }`;

// RFC 6238 with Cognito's parameters: SHA-1, 6 digits, 30-second steps, base32 secret.
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

// A code is checked against the current step only: never compute one in a step's last
// seconds.
async function freshTotp(secret) {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < 3) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
  return totp(secret);
}

async function flows() {
  const report = {};
  const desde = new Date().toISOString();
  // A tecnico, with Amplify's default flow (SRP).
  report.tecnicoSignIn = await signIn({ username: process.env.ORDERS_TECNICO, password });
  report.created = (
    await client.graphql({
      query: CREATE,
      variables: { input: { descripcion: `${marker} uno`, fecha_entrega: "2099-12-31" } },
    })
  ).data.createOrder;
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

  const ready = connected();
  const received = new Promise((resolve, reject) => {
    const subscription = client.graphql({ query: CREATED, variables: { estado: "recibida" } }).subscribe({
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
  await realFetch(health.graphql, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({
      query: CREATE,
      variables: { input: { descripcion: `${marker} ajena`, fecha_entrega: "2099-12-31" } },
    }),
  });
  report.subscription = await within(received, "subscription data");

  report.tecnicoCancel = await attempt(() =>
    client.graphql({ query: CANCEL, variables: { id: report.created.id } }),
  );
  report.afterTecnico = (await client.graphql({ query: GET, variables: { id: report.created.id } })).data.getOrder;
  await signOut();

  // A supervisor, with the password flow a CLI would use.
  report.supervisorSignIn = await signIn({
    username: process.env.ORDERS_SUPERVISOR,
    password,
    options: { authFlowType: "USER_PASSWORD_AUTH" },
  });
  report.supervisorCancel = await attempt(() =>
    client.graphql({ query: CANCEL, variables: { id: report.created.id } }).then((r) => r.data.updateOrderState),
  );
  await signOut();
  return report;
}

async function mfa() {
  const report = {};
  const username = process.env.ORDERS_TECNICO;
  const first = await signIn({ username, password });
  report.firstStep = first.nextStep.signInStep;
  const secret = first.nextStep.totpSetupDetails.sharedSecret;
  report.setUp = await confirmSignIn({ challengeResponse: await freshTotp(secret) });
  await signOut();
  const again = await signIn({ username, password });
  report.secondStep = again.nextStep.signInStep;
  report.confirmed = await confirmSignIn({ challengeResponse: await freshTotp(secret) });
  report.created = (
    await client.graphql({
      query: CREATE,
      variables: { input: { descripcion: `${marker} mfa`, fecha_entrega: "2099-12-31" } },
    })
  ).data.createOrder;
  await signOut();
  return report;
}

const report = process.env.ORDERS_SCENARIO === "mfa" ? await mfa() : await flows();
report.authFlows = authFlows;
console.log(JSON.stringify(report));
process.exit(0);
