// The admin API client. The key lives in this tab's sessionStorage only and leaves it only as the
// Authorization header of same-origin API calls: never in a URL, a cookie or a log.

const KEY = 'broker.console.key';
const ACCOUNT = 'broker.console.account';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  account: () => sessionStorage.getItem(ACCOUNT),
  isRoot: () => sessionStorage.getItem(KEY) != null && sessionStorage.getItem(ACCOUNT) == null,
  save(key, account) {
    sessionStorage.setItem(KEY, key);
    if (account) sessionStorage.setItem(ACCOUNT, account);
    else sessionStorage.removeItem(ACCOUNT);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ACCOUNT);
  },
};

/** A refusal from the broker: the contract's error code and its message for a person. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Path segment, escaped. */
export const seg = (s) => encodeURIComponent(s);

/** One API call; resolves to the parsed JSON (null for 204), rejects with an ApiError. */
export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The broker did not answer. Check that it is running and reachable.');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error;
    const failure = new ApiError(res.status, err ? err.code : `http_${res.status}`,
      err && err.message ? err.message : `The broker answered ${res.status}.`);
    if (res.status === 401 && key === session.key()) window.dispatchEvent(new CustomEvent('console:unauthorized'));
    throw failure;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
