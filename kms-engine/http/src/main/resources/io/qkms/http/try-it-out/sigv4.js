// AWS Signature Version 4 with the browser's Web Crypto (SHA-256, HMAC-SHA256), for header
// signing. Tested in a real browser against the AWS SigV4 test suite (TryItOutSigV4SuiteTest).
// The secret access key is used only to derive the signing key, as a non-extractable CryptoKey.

const ALGORITHM = 'AWS4-HMAC-SHA256';
const encoder = new TextEncoder();

function bytes(data) {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data) {
  return hex(await crypto.subtle.digest('SHA-256', bytes(data)));
}

async function hmac(key, data) {
  const k = await crypto.subtle.importKey(
    'raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, bytes(data)));
}

/** 20150830T123600Z */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 percent-encoding of the UTF-8 bytes of s; unreserved characters stay as they are. */
export function uriEncode(s, keepSlash) {
  let out = '';
  for (const b of encoder.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) {
      out += c;
    } else {
      out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

function decodeComponent(s) {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    return s;
  }
}

/**
 * The canonical URI: with normalize (every service but S3), dot segments removed and empty
 * segments dropped (RFC 3986 section 5.2.4), then each segment percent-encoded (a path already
 * percent-encoded is encoded again, as AWS does for every service but S3).
 */
export function canonicalUri(path, normalize) {
  const segments = path.split('/');
  if (normalize) {
    const out = [];
    for (const s of segments.slice(1)) {
      if (s === '..') {
        out.pop();
      } else if (s !== '.' && s !== '') {
        out.push(s);
      }
    }
    const trailing = path.length > 1 && (path.endsWith('/') || /\/\.{1,2}$/.test(path));
    let uri = '/' + out.map((s) => uriEncode(s, false)).join('/');
    if (trailing && out.length > 0) {
      uri += '/';
    }
    return uri;
  }
  return segments.map((s) => uriEncode(s, false)).join('/') || '/';
}

/** The canonical query string: every parameter encoded, sorted by name then value. */
export function canonicalQuery(query) {
  if (!query) {
    return '';
  }
  return query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(decodeComponent(name), false), uriEncode(decodeComponent(value), false)];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([n, v]) => n + '=' + v)
    .join('&');
}

/**
 * Canonical headers from [name, value] pairs: names lower-cased and sorted, values trimmed with
 * runs of white space (and folded lines) made one space, repeated names joined with commas in
 * order.
 */
export function canonicalHeaders(headers) {
  const byName = new Map();
  for (const [name, value] of headers) {
    const n = name.toLowerCase().trim();
    const v = String(value).trim().replace(/\s+/g, ' ');
    byName.set(n, byName.has(n) ? byName.get(n) + ',' + v : v);
  }
  const names = Array.from(byName.keys()).sort();
  return {
    canonical: names.map((n) => n + ':' + byName.get(n) + '\n').join(''),
    signed: names.join(';'),
  };
}

/**
 * Signs a request. request: {method, path, query, headers: [[name, value], ...], body (string or
 * Uint8Array)}; credentials: {accessKeyId, secretAccessKey, sessionToken?}; scope: {region,
 * service, date (a Date)}; options: {normalize (default true), signBody (adds
 * x-amz-content-sha256), omitSessionToken (adds the token after signing)}.
 *
 * Returns the headers to send (the request's, then X-Amz-Date, the token, the body hash and
 * Authorization) and every intermediate step.
 */
export async function sign(request, credentials, scope, options = {}) {
  const normalize = options.normalize !== false;
  const date = amzDate(scope.date);
  const day = date.slice(0, 8);
  const body = request.body === undefined ? '' : request.body;
  const payloadHash = await sha256Hex(body);

  const headers = request.headers.slice();
  headers.push(['X-Amz-Date', date]);
  const token = credentials.sessionToken;
  if (token && !options.omitSessionToken) {
    headers.push(['X-Amz-Security-Token', token]);
  }
  if (options.signBody) {
    headers.push(['x-amz-content-sha256', payloadHash]);
  }
  const { canonical, signed } = canonicalHeaders(headers);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path, normalize),
    canonicalQuery(request.query),
    canonical,
    signed,
    payloadHash,
  ].join('\n');

  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, await sha256Hex(canonicalRequest)].join(
    '\n');

  let key = await hmac('AWS4' + credentials.secretAccessKey, day);
  key = await hmac(key, scope.region);
  key = await hmac(key, scope.service);
  key = await hmac(key, 'aws4_request');
  const signature = hex(await hmac(key, stringToSign));

  const authorization =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${signed}, Signature=${signature}`;
  if (token && options.omitSessionToken) {
    headers.push(['X-Amz-Security-Token', token]);
  }
  headers.push(['Authorization', authorization]);
  return { headers, canonicalRequest, stringToSign, signature, authorization };
}
