// The work-order board: one column per state, filled by ordersByState (oldest first, "Load
// more" on nextToken), kept live by onOrderCreated / onOrderStateChanged over AppSync's
// real-time protocol. It only speaks the public API, so it works against a deployed AppSync
// API by changing the URL and key under "Connection". "Sign in" uses a Cognito user's
// token instead of the key, and then offers only the moves the access policy lets that
// user make (the policy comes with /config.json; the API still decides).
import { AppSyncClient } from "/client/appsync.js";
import { currentUser, signIn, signOut } from "/board/sign_in.js";

// What a card shows, and what it needs to be placed (id, estado).
const WHO = "creado_por historial { estado fecha por motivo }";
const CARD = `id estado descripcion fecha_entrega fecha_registro ${WHO}`;
const PAGE = `query Column($estado: Estado!, $limit: Int, $nextToken: String) {
  ordersByState(estado: $estado, limit: $limit, nextToken: $nextToken) {
    items { id descripcion fecha_entrega fecha_registro ${WHO} }
    nextToken
  }
}`;
const GET = `query Card($id: ID!) { getOrder(id: $id) { ${CARD} } }`;
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${CARD} } }`;
const MOVE = `mutation Move($id: ID!, $estado: Estado!, $motivo: String) {
  updateOrderState(id: $id, estado: $estado, motivo: $motivo) { ${CARD} }
}`;
// A subscriber gets only the fields the mutation selected (null for the others, an error for
// a non-null one), and the board cannot know what other clients select: it asks for the id
// alone and reads the card with getOrder, which the mutation has just evicted from the cache.
const CREATED = "subscription Created { onOrderCreated { id } }";
const CHANGED = "subscription Changed { onOrderStateChanged { id } }";
const PAGE_SIZE = 20;
const CANCELLED = "cancelada";
const SETTINGS_KEY = "orders-board-connection";

const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live: changes made anywhere appear here",
  offline: "Offline: reconnecting…",
  refused: "Not connected: the API refused the key (see Connection)",
  "no-key": "Not connected: enter the API key under Connection",
};

let config = { states: [], transitions: {}, access: { entryGroups: {} } };
let user = null; // the signed-in Cognito user, or null (the API key)
let client = null;
const orders = new Map(); // id -> the order as last seen
const columns = new Map(); // estado -> { list, more, count, error, nextToken }

const $ = (selector, root = document) => root.querySelector(selector);

function setLive(state) {
  const live = $("#live");
  live.dataset.state = state;
  live.textContent = LIVE_TEXT[state];
}

function describe(error) {
  return error.errorType ? `${error.errorType}: ${error.message}` : error.message;
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// The access policy: a signed-in user may move an order into a state that needs a group
// only when in one of them; the key is not restricted by groups.
function mayEnter(estado) {
  const needed = config.access.entryGroups[estado];
  return !user || !needed || needed.some((group) => user.groups.includes(group));
}

function isFinal(estado) {
  return (config.transitions[estado] ?? []).length === 0;
}

// True when `later` can follow `earlier` through the transitions: an update that would move a
// card back (a late event) is stale.
function follows(later, earlier) {
  const seen = new Set();
  const queue = [...(config.transitions[earlier] ?? [])];
  while (queue.length) {
    const next = queue.shift();
    if (next === later) return true;
    if (!seen.has(next)) {
      seen.add(next);
      queue.push(...(config.transitions[next] ?? []));
    }
  }
  return false;
}

function buildColumns() {
  const board = $("#board");
  board.replaceChildren();
  columns.clear();
  for (const estado of config.states) {
    const section = $("#column-template").content.firstElementChild.cloneNode(true);
    const titleId = `column-${estado}`;
    section.setAttribute("aria-labelledby", titleId);
    section.dataset.estado = estado;
    $(".column-title", section).id = titleId;
    $(".state", section).textContent = estado;
    const column = {
      list: $(".cards", section),
      more: $(".more", section),
      count: $(".count", section),
      error: $(".error", section),
      nextToken: null,
    };
    column.list.setAttribute("aria-labelledby", titleId);
    column.more.setAttribute("aria-label", `Load more ${estado} orders`);
    column.more.addEventListener("click", () => loadPage(estado));
    columns.set(estado, column);
    board.append(section);
  }
}

function updateCount(estado) {
  const column = columns.get(estado);
  const shown = column.list.children.length;
  column.count.textContent = column.nextToken ? `(${shown}+)` : `(${shown})`;
}

// Cards sort by arrival (fecha_registro, then id), as ordersByState returns them.
function before(a, b) {
  return a.fecha_registro < b.fecha_registro || (a.fecha_registro === b.fecha_registro && a.id < b.id);
}

function place(update) {
  const known = orders.get(update.id);
  if (known && known.estado !== update.estado && follows(known.estado, update.estado)) return;
  const order = { ...known };
  for (const [name, value] of Object.entries(update)) if (value != null) order[name] = value;
  orders.set(order.id, order);

  const existing = document.getElementById(`order-${order.id}`);
  // The same change heard twice (the mutation's answer, then its event): a new card would
  // close a cancellation form the user has open on it.
  if (existing && known && JSON.stringify(order) === JSON.stringify(known)) return;
  const previous = existing?.closest(".column")?.dataset.estado;
  const focused = existing?.contains(document.activeElement);
  existing?.remove();
  if (previous) updateCount(previous);

  const column = columns.get(order.estado);
  if (!column) return;
  // In arrival order; a card that arrives live may sit after pages not loaded yet, which
  // "Load more" then slots in before it.
  const card = renderCard(order);
  const next = [...column.list.children].find((each) => before(order, orders.get(each.dataset.id)));
  column.list.insertBefore(card, next ?? null);
  updateCount(order.estado);
  if (focused) $(".descripcion", card).focus();
}

function renderCard(order) {
  const card = $("#card-template").content.firstElementChild.cloneNode(true);
  card.id = `order-${order.id}`;
  card.dataset.id = order.id;
  const title = $(".descripcion", card);
  title.textContent = order.descripcion;
  title.id = `title-${order.id}`;
  $("article", card).setAttribute("aria-labelledby", title.id);
  const due = $(".fecha_entrega", card);
  due.textContent = order.fecha_entrega;
  due.dateTime = order.fecha_entrega;
  if (!isFinal(order.estado) && order.fecha_entrega < today()) {
    $(".due", card).classList.add("past-due");
    $(".overdue", card).hidden = false;
  }
  const registered = $(".fecha_registro", card);
  registered.dateTime = order.fecha_registro;
  registered.textContent = new Date(order.fecha_registro).toLocaleString();
  $(".creado_por", card).textContent = order.creado_por ?? "";
  const history = $(".historial", card);
  for (const cambio of order.historial ?? []) {
    const entry = document.createElement("li");
    entry.className = "cambio";
    entry.dataset.estado = cambio.estado;
    const motivo = cambio.motivo ? ` (${cambio.motivo})` : "";
    entry.textContent = `${cambio.estado} by ${cambio.por}${motivo}`;
    history.append(entry);
  }

  const actions = $(".actions", card);
  const error = $(".error", card);
  const cancelForm = $(".cancel-form", card);
  // Forward moves first, cancelling last.
  const targets = [...(config.transitions[order.estado] ?? [])].filter(mayEnter).sort(
    (a, b) => (a === CANCELLED) - (b === CANCELLED),
  );
  for (const target of targets) {
    const button = document.createElement("button");
    button.type = "button";
    if (target === CANCELLED) {
      button.textContent = "Cancel…";
      button.addEventListener("click", () => {
        cancelForm.hidden = false;
        $("input", cancelForm).focus();
      });
    } else {
      button.textContent = `Move to ${target}`;
      button.addEventListener("click", () => move(order.id, target, null, error));
    }
    button.setAttribute("aria-describedby", title.id);
    actions.append(button);
  }
  cancelForm.addEventListener("submit", (event) => {
    event.preventDefault();
    // The API judges the reason (a blank one is a ValidationError), not the page.
    move(order.id, CANCELLED, cancelForm.elements.motivo.value, error);
  });
  $(".keep", cancelForm).addEventListener("click", () => {
    cancelForm.hidden = true;
    error.textContent = "";
  });
  return card;
}

async function move(id, estado, motivo, error) {
  error.textContent = "";
  try {
    const data = await client.graphql(MOVE, { id, estado, motivo });
    place(data.updateOrderState);
  } catch (failure) {
    error.textContent = describe(failure);
  }
}

async function loadPage(estado) {
  const column = columns.get(estado);
  column.error.textContent = "";
  column.more.disabled = true;
  try {
    const data = await client.graphql(PAGE, {
      estado,
      limit: PAGE_SIZE,
      nextToken: column.nextToken,
    });
    const page = data.ordersByState;
    column.nextToken = page.nextToken;
    for (const item of page.items) {
      // A list page may be cached for a while; what the live events said wins.
      const known = orders.get(item.id);
      if (!known || known.estado === estado) place({ ...item, estado });
    }
  } catch (failure) {
    column.error.textContent = describe(failure);
  } finally {
    column.more.hidden = !column.nextToken;
    column.more.disabled = false;
    updateCount(estado);
  }
}

async function received(event) {
  if (!event?.id) return;
  try {
    const data = await client.graphql(GET, { id: event.id });
    if (data.getOrder) place(data.getOrder);
  } catch (failure) {
    console.warn("could not read order", event.id, failure);
  }
}

function showUser() {
  $("#who").textContent = user ? `Signed in as ${user.email}` : "Using the API key";
  $("#sign-out").hidden = !user;
  $("#sign-in-form").hidden = Boolean(user);
}

function connect({ endpoint, apiKey }) {
  client?.close();
  orders.clear();
  buildColumns();
  showUser();
  if (!apiKey && !user) {
    setLive("no-key");
    $("#connection").open = true;
    return;
  }
  client = new AppSyncClient({ url: endpoint, apiKey, token: user?.token ?? null });
  let ready = 0;
  client.onStatus((state) => {
    if (state === "live") return; // live once both subscriptions are acknowledged
    ready = 0;
    setLive(state);
  });
  const handlers = (field) => ({
    next: (data) => received(data?.[field]),
    ready: () => {
      ready += 1;
      if (ready >= 2) setLive("live");
    },
    error: (error) => {
      $("#live").textContent = `Subscription failed: ${describe(error)}`;
    },
  });
  client.subscribe(CREATED, {}, handlers("onOrderCreated"));
  client.subscribe(CHANGED, {}, handlers("onOrderStateChanged"));
  for (const estado of config.states) loadPage(estado);
}

function savedConnection(defaults) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SETTINGS_KEY) ?? "null");
    // A key saved for this same emulator may be an old one: the served key wins.
    if (saved?.endpoint && !(saved.endpoint === defaults.endpoint && defaults.apiKey)) return saved;
  } catch {
    // unreadable: use the defaults
  }
  return defaults;
}

async function main() {
  const response = await fetch("/config.json", { cache: "no-store" });
  const served = response.ok ? await response.json() : {};
  config = {
    states: served.states ?? [],
    transitions: served.transitions ?? {},
    access: served.access ?? { entryGroups: {} },
  };
  user = currentUser();
  const connection = savedConnection({
    endpoint: new URL("/graphql", location.href).toString(),
    apiKey: served.apiKey ?? "",
  });

  const form = $("#connection-form");
  form.elements.endpoint.value = connection.endpoint;
  form.elements.apiKey.value = connection.apiKey;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = { endpoint: form.elements.endpoint.value, apiKey: form.elements.apiKey.value };
    sessionStorage.setItem(SETTINGS_KEY, JSON.stringify(chosen));
    $("#connection").open = false;
    connect(chosen);
  });

  setUpSignIn(() => connect(savedConnection(connection)));

  const create = $("#create-form");
  create.elements.fecha_entrega.value = today();
  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#create-error");
    error.textContent = "";
    const input = {
      descripcion: create.elements.descripcion.value,
      fecha_entrega: create.elements.fecha_entrega.value,
    };
    if (!client) {
      error.textContent = LIVE_TEXT["no-key"];
      return;
    }
    try {
      const data = await client.graphql(CREATE, { input });
      place(data.createOrder);
      // Unless the user has started typing the next one meanwhile.
      if (create.elements.descripcion.value === input.descripcion) {
        create.elements.descripcion.value = "";
      }
      create.elements.descripcion.focus();
    } catch (failure) {
      error.textContent = describe(failure);
    }
  });

  connect(connection);
}

// The pool /health names (`cognito`: region, client, endpoint), when the API has one.
function setUpSignIn(reconnect) {
  const form = $("#sign-in-form");
  const error = $("#sign-in-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const health = await (await fetch("/health", { cache: "no-store" })).json();
      if (!health.cognito) throw new Error("This API has no user pool to sign in to");
      user = await signIn(health.cognito, form.elements.email.value, form.elements.password.value);
      form.elements.password.value = "";
      reconnect();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  $("#sign-out").addEventListener("click", () => {
    signOut();
    user = null;
    reconnect();
  });
}

main();
