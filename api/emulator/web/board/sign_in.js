// Signing in to the board with a Cognito user pool: email and password (USER_PASSWORD_AUTH)
// against the pool /health names, or any pool given the same settings. InitiateAuth is one
// JSON POST to the pool's endpoint (Cognito's API reference, InitiateAuth:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html).
// The tokens stay in this tab only: memory and sessionStorage, never localStorage.

const SESSION_KEY = "orders-board-user";

export class SignInError extends Error {}

function claimsOf(token) {
  const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  const text = new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
  return JSON.parse(text);
}

/** The signed-in user of this tab, or null. */
export function currentUser() {
  try {
    const user = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    if (user && claimsOf(user.token).exp * 1000 > Date.now()) return user;
  } catch {
    // unreadable: signed out
  }
  sessionStorage.removeItem(SESSION_KEY);
  return null;
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Signs in; resolves with { email, token, groups }. `pool`: /health's `cognito` block. */
export async function signIn(pool, email, password) {
  const endpoint = pool.endpoint ?? `https://cognito-idp.${pool.region}.amazonaws.com/`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: pool.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = (answer.__type ?? "").split("#").pop() || `HTTP ${response.status}`;
    throw new SignInError(`${type}: ${answer.message ?? "sign-in refused"}`);
  }
  if (!answer.AuthenticationResult) {
    // MFA (prod's pool requires it) is for a full client such as Amplify.
    throw new SignInError(`The pool asks for ${answer.ChallengeName}: sign in with an app that answers it`);
  }
  // Amplify v6 sends AppSync the access token; so does the board.
  const token = answer.AuthenticationResult.AccessToken;
  const user = { email, token, groups: claimsOf(token)["cognito:groups"] ?? [] };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(user));
  return user;
}
