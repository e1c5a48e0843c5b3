// The Try It Out console: builds ReEncrypt (and Encrypt, Decrypt, ListKeys, ListAliases) requests
// from the form, signs them with SigV4 in the page and POSTs them to this server's API, exactly as
// any AWS client does. The secret access key is read from its field when a request is signed and
// kept nowhere else. Everything is written with textContent: nothing from a response is ever
// parsed as HTML (the Content-Security-Policy requires Trusted Types for that anyway).
import { sign } from '/try-it-out/sigv4.js';

// The API page's "Example 1: Re-encrypt data with a new KMS key".
const EXAMPLE = {
  CiphertextBlob:
    'AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0B' +
    'BwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g9ZWn' +
    'HdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=',
  SourceKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  DestinationKeyId: '0987dcba-09fe-87dc-65ba-ab0987654321',
  SourceEncryptionContext: { Department: 'Finance' },
  DestinationEncryptionContext: { Purpose: 'Test' },
  SourceEncryptionAlgorithm: '',
  DestinationEncryptionAlgorithm: '',
  GrantTokens: [],
};
const CONTEXTS = ['SourceEncryptionContext', 'DestinationEncryptionContext'];
const JSON_11 = 'application/x-amz-json-1.1';

const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();

let lastSample = null; // the plaintext "Encrypt a sample" last encrypted
let lastResult = null; // {blob, context, keyId} of the last ReEncrypt that succeeded
let busy = false;
let shown = 0; // outcomes shown in the Response region (data-shown, for scripts that drive the page)

class InputError extends Error {}

// ---- helpers ------------------------------------------------------------------------------

function base64OfText(text) {
  let binary = '';
  for (const b of encoder.encode(text)) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary);
}

function textOfBase64(b64) {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    out[i] = binary.charCodeAt(i);
  }
  return new TextDecoder().decode(out);
}

function shellQuote(s) {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";
}

function setStatus(id, text, kind) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle('is-error', kind === 'error');
  el.classList.toggle('is-ok', kind === 'ok');
}

function fieldError(id, message) {
  const el = $(id + '-error');
  const field = $(id);
  if (message) {
    el.textContent = message;
    el.hidden = false;
    field.setAttribute('aria-invalid', 'true');
  } else {
    el.textContent = '';
    el.hidden = true;
    field.removeAttribute('aria-invalid');
  }
}

function credentials() {
  const accessKeyId = $('access-key-id').value.trim();
  const secretAccessKey = $('secret-access-key').value.trim();
  if (!accessKeyId || !secretAccessKey) {
    return null;
  }
  return { accessKeyId, secretAccessKey };
}

function region() {
  return $('region').value.trim();
}

// ---- the form -----------------------------------------------------------------------------

function fillExample() {
  $('CiphertextBlob').value = EXAMPLE.CiphertextBlob;
  $('SourceKeyId').value = EXAMPLE.SourceKeyId;
  $('DestinationKeyId').value = EXAMPLE.DestinationKeyId;
  for (const c of CONTEXTS) {
    $(c).value = JSON.stringify(EXAMPLE[c], null, 2);
    fieldError(c, null);
  }
  $('SourceEncryptionAlgorithm').value = EXAMPLE.SourceEncryptionAlgorithm;
  $('DestinationEncryptionAlgorithm').value = EXAMPLE.DestinationEncryptionAlgorithm;
  $('GrantTokens').value = EXAMPLE.GrantTokens.join('\n');
  fieldError('CiphertextBlob', null);
}

/** An encryption context field: a JSON object of strings, or undefined when empty. */
function context(id) {
  const text = $(id).value.trim();
  fieldError(id, null);
  if (!text) {
    return undefined;
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fieldError(id, `Not JSON: ${e.message}. Write an object, e.g. {"Department": "Finance"}.`);
    throw new InputError(`${id} is not valid JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fieldError(id, 'An encryption context is a JSON object, e.g. {"Department": "Finance"}.');
    throw new InputError(`${id} is not a JSON object.`);
  }
  return value;
}

/** The ReEncrypt request body from the form, members in the API page's order. */
function reEncryptBody() {
  const body = {};
  const errors = [];
  const blob = $('CiphertextBlob').value.replace(/\s+/g, '');
  if (blob) body.CiphertextBlob = blob;
  const source = $('SourceKeyId').value.trim();
  if (source) body.SourceKeyId = source;
  const destination = $('DestinationKeyId').value.trim();
  if (destination) body.DestinationKeyId = destination;
  for (const c of CONTEXTS) {
    try {
      const v = context(c);
      if (v !== undefined) body[c] = v;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      errors.push(e.message);
    }
  }
  for (const a of ['SourceEncryptionAlgorithm', 'DestinationEncryptionAlgorithm']) {
    if ($(a).value) body[a] = $(a).value;
  }
  const tokens = $('GrantTokens')
    .value.split('\n')
    .map((t) => t.trim())
    .filter((t) => t);
  if (tokens.length) body.GrantTokens = tokens;
  if (errors.length) {
    throw new InputError(errors.join(' '));
  }
  return body;
}

// ---- calls --------------------------------------------------------------------------------

/**
 * One signed call to POST /. Returns {operation, status, statusText, json, requestText,
 * responseText, millis}; throws InputError without credentials.
 */
async function call(operation, body) {
  const creds = credentials();
  if (!creds) {
    throw new InputError('Enter the access key ID and the secret access key first.');
  }
  const payload = JSON.stringify(body, null, 2);
  const signed = await sign(
    {
      method: 'POST',
      path: '/',
      query: '',
      headers: [
        ['Host', location.host],
        ['Content-Type', JSON_11],
        ['X-Amz-Target', 'TrentService.' + operation],
      ],
      body: payload,
    },
    creds,
    { region: region(), service: 'kms', date: new Date() },
  );
  const length = encoder.encode(payload).length;
  const requestText =
    'POST / HTTP/1.1\n' +
    signed.headers.map(([n, v]) => `${n}: ${v}`).join('\n') +
    `\nContent-Length: ${length}\n\n` +
    payload;

  const headers = new Headers();
  for (const [n, v] of signed.headers) {
    if (n.toLowerCase() !== 'host') headers.append(n, v); // the browser sends Host itself
  }
  const started = performance.now();
  const response = await fetch('/', {
    method: 'POST',
    headers,
    body: payload,
    credentials: 'omit',
    cache: 'no-store',
    redirect: 'error',
    referrerPolicy: 'no-referrer',
  });
  const text = await response.text();
  const millis = Math.round(performance.now() - started);
  let json = null;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // not JSON: shown as it came
  }
  const responseHeaders = [];
  response.headers.forEach((v, n) => responseHeaders.push(`${n}: ${v}`));
  const responseText =
    `HTTP/1.1 ${response.status} ${response.statusText}`.trimEnd() +
    '\n' +
    responseHeaders.join('\n') +
    '\n\n' +
    (json !== null ? JSON.stringify(json, null, 2) : text);
  return {
    operation,
    status: response.status,
    statusText: response.statusText,
    json,
    requestText,
    responseText,
    millis,
  };
}

function errorOf(result) {
  if (result.status === 200) return null;
  const j = result.json || {};
  return {
    type: j.__type || `HTTP ${result.status}`,
    message: j.message || j.Message || '',
  };
}

/** Shows a call in the Response region; error members are highlighted. */
function showResponse(result) {
  const error = errorOf(result);
  const line = `${result.operation}: HTTP ${result.status} ${result.statusText}`.trimEnd();
  setStatus(
    'response-summary',
    error ? `${line} · ${error.type}` : `${line} · ${result.millis} ms`,
    error ? 'error' : 'ok',
  );
  $('response-error').hidden = !error;
  $('response-error-type').textContent = error ? error.type : '';
  $('response-error-message').textContent = error ? error.message : '';

  const pre = $('response-text');
  pre.replaceChildren();
  for (const l of result.responseText.split('\n')) {
    const member = error && /^(\s*)("(__type|message)":.*)$/.exec(l);
    if (member) {
      const mark = document.createElement('mark');
      mark.textContent = member[2];
      pre.append(member[1], mark, '\n');
    } else {
      pre.append(l + '\n');
    }
  }
  $('request-text').textContent = result.requestText;
  $('response-parts').hidden = false;
  $('response').classList.toggle('has-error', !!error);
  $('response').dataset.shown = String(++shown);
  const box = $('response').getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) {
    $('response').scrollIntoView({ block: 'start' });
  }
}

function showClientError(operation, message) {
  setStatus('response-summary', `${operation}: not sent · ${message}`, 'error');
  $('response-error').hidden = true;
  $('response').dataset.shown = String(++shown);
}

async function run(button, action) {
  if (busy) return;
  busy = true;
  const buttons = document.querySelectorAll('button');
  const wasDisabled = new Map();
  buttons.forEach((b) => {
    wasDisabled.set(b, b.disabled);
    b.disabled = true;
  });
  $('response').setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    buttons.forEach((b) => (b.disabled = wasDisabled.get(b)));
    $('decrypt-result').disabled = lastResult === null;
    $('response').removeAttribute('aria-busy');
    busy = false;
    // A disabled button loses the focus; give it back so that the keyboard user stays in place.
    if (document.activeElement === null || document.activeElement === document.body) {
      button.focus();
    }
  }
}

// ---- the buttons --------------------------------------------------------------------------

async function sendReEncrypt() {
  let body;
  try {
    body = reEncryptBody();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    showClientError('ReEncrypt', e.message);
    return;
  }
  let result;
  try {
    result = await call('ReEncrypt', body);
  } catch (e) {
    showClientError('ReEncrypt', e instanceof InputError ? e.message : `no answer: ${e.message}`);
    return;
  }
  showResponse(result);
  if (result.status === 200 && result.json && result.json.CiphertextBlob) {
    lastResult = {
      blob: result.json.CiphertextBlob,
      context: body.DestinationEncryptionContext,
      keyId: result.json.KeyId,
    };
    setStatus(
      'decrypt-status',
      `Ready: the CiphertextBlob re-encrypted under ${result.json.KeyId}.`,
      null,
    );
  }
}

async function encryptSample() {
  const keyId = $('SourceKeyId').value.trim();
  if (!keyId) {
    setStatus('sample-status', 'Fill in SourceKeyId: the sample is encrypted under it.', 'error');
    $('SourceKeyId').focus();
    return;
  }
  let encryptionContext;
  try {
    encryptionContext = context('SourceEncryptionContext');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    setStatus('sample-status', e.message, 'error');
    return;
  }
  const plaintext = $('sample-plaintext').value;
  const body = { KeyId: keyId, Plaintext: base64OfText(plaintext) };
  if (encryptionContext !== undefined) body.EncryptionContext = encryptionContext;
  let result;
  try {
    result = await call('Encrypt', body);
  } catch (e) {
    const why = e instanceof InputError ? e.message : `no answer: ${e.message}`;
    setStatus('sample-status', why, 'error');
    showClientError('Encrypt', why);
    return;
  }
  showResponse(result);
  const error = errorOf(result);
  if (error) {
    setStatus('sample-status', `Encrypt failed: ${error.type}. ${error.message}`, 'error');
    return;
  }
  $('CiphertextBlob').value = result.json.CiphertextBlob;
  fieldError('CiphertextBlob', null);
  lastSample = plaintext;
  setStatus(
    'sample-status',
    `Encrypted under ${result.json.KeyId}: CiphertextBlob now holds the sample.`,
    'ok',
  );
}

async function decryptResult() {
  if (!lastResult) return;
  const body = { CiphertextBlob: lastResult.blob };
  if (lastResult.context !== undefined) body.EncryptionContext = lastResult.context;
  body.KeyId = lastResult.keyId;
  let result;
  try {
    result = await call('Decrypt', body);
  } catch (e) {
    const why = e instanceof InputError ? e.message : `no answer: ${e.message}`;
    setStatus('decrypt-status', why, 'error');
    showClientError('Decrypt', why);
    return;
  }
  showResponse(result);
  const error = errorOf(result);
  if (error) {
    setStatus('decrypt-status', `Decrypt failed: ${error.type}. ${error.message}`, 'error');
    return;
  }
  const plaintext = textOfBase64(result.json.Plaintext);
  if (lastSample === null) {
    setStatus('decrypt-status', `Decrypts to “${plaintext}”.`, 'ok');
  } else if (plaintext === lastSample) {
    setStatus(
      'decrypt-status',
      `Decrypts to “${plaintext}”: the sample's plaintext, now under ${result.json.KeyId}.`,
      'ok',
    );
  } else {
    setStatus(
      'decrypt-status',
      `Decrypts to “${plaintext}”, not the sample's plaintext “${lastSample}”.`,
      'error',
    );
  }
}

function copyCliCommand() {
  let body;
  try {
    body = reEncryptBody();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    $('cli').hidden = false;
    $('cli-command').textContent = '';
    setStatus('cli-status', e.message, 'error');
    return;
  }
  const command =
    `aws --endpoint-url ${shellQuote(location.origin)} --region ${shellQuote(region())}` +
    ` kms re-encrypt \\\n    --cli-input-json ${shellQuote(JSON.stringify(body))}`;
  $('cli').hidden = false;
  $('cli-command').textContent = command;
  const copied = navigator.clipboard
    ? navigator.clipboard.writeText(command).then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
  copied.then((ok) =>
    setStatus(
      'cli-status',
      ok
        ? 'Copied to the clipboard:'
        : 'The browser did not allow the clipboard: select the command and copy it.',
      ok ? 'ok' : null,
    ),
  );
}

// ---- key pickers --------------------------------------------------------------------------

async function listAll(operation, member) {
  const items = [];
  let marker;
  for (let page = 0; page < 50; page++) {
    const body = { Limit: 100 };
    if (marker) body.Marker = marker;
    const result = await call(operation, body);
    const error = errorOf(result);
    if (error) {
      throw Object.assign(new Error(`${error.type}: ${error.message}`), { result });
    }
    items.push(...(result.json[member] || []));
    if (!result.json.Truncated) break;
    marker = result.json.NextMarker;
  }
  return items;
}

let keysLoadedFor = null;
let keysLoading = null;

/** Fills the key pickers; one listing at a time (typing credentials fires several changes). */
function loadKeys(force) {
  if (!keysLoading) {
    keysLoading = listKeysAndAliases(force).finally(() => (keysLoading = null));
  }
  return keysLoading;
}

async function listKeysAndAliases(force) {
  const creds = credentials();
  if (!creds) {
    setStatus('keys-status', 'Enter the access key ID and the secret access key first.', null);
    return;
  }
  const wanted = `${creds.accessKeyId}\n${region()}`;
  if (!force && keysLoadedFor === wanted) return;
  setStatus('keys-status', 'Listing keys and aliases…', null);
  let keys;
  let aliases;
  try {
    keys = await listAll('ListKeys', 'Keys');
    aliases = await listAll('ListAliases', 'Aliases');
  } catch (e) {
    keysLoadedFor = null;
    setStatus('keys-status', `Could not list the keys: ${e.message}`, 'error');
    return;
  }
  keysLoadedFor = wanted;
  const options = [];
  const aliasesOf = new Map();
  for (const a of aliases) {
    if (!a.TargetKeyId) continue;
    aliasesOf.set(a.TargetKeyId, [...(aliasesOf.get(a.TargetKeyId) || []), a.AliasName]);
    const o = document.createElement('option');
    o.value = a.AliasName;
    o.label = `${a.AliasName} → ${a.TargetKeyId}`;
    options.push(o);
  }
  for (const k of keys) {
    const o = document.createElement('option');
    o.value = k.KeyId;
    const names = aliasesOf.get(k.KeyId);
    o.label = names ? `${k.KeyId} (${names.join(', ')})` : k.KeyId;
    options.push(o);
  }
  $('key-options').replaceChildren(...options);

  let note = '';
  if (keys.length > 0) {
    const replaced = [];
    if ($('SourceKeyId').value.trim() === EXAMPLE.SourceKeyId) {
      $('SourceKeyId').value = keys[0].KeyId;
      replaced.push('SourceKeyId');
    }
    if ($('DestinationKeyId').value.trim() === EXAMPLE.DestinationKeyId) {
      $('DestinationKeyId').value = keys[keys.length > 1 ? 1 : 0].KeyId;
      replaced.push('DestinationKeyId');
    }
    if (replaced.length) {
      note = ` ${replaced.join(' and ')} held the example's key IDs; now keys of this store.`;
    }
  }
  const n = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  setStatus(
    'keys-status',
    `${n(keys.length, 'key', 'keys')} and ${n(aliases.length, 'alias', 'aliases')} in ` +
      `${region()}: pick them in SourceKeyId and DestinationKeyId.${note}`,
    'ok',
  );
}

// ---- start --------------------------------------------------------------------------------

function start() {
  if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
    $('needs-script').textContent =
      'This page is not a secure context, so the browser offers no Web Crypto to sign with: ' +
      'open it at http://127.0.0.1, http://localhost or through HTTPS.';
    document.querySelectorAll('button').forEach((b) => (b.disabled = true));
    return;
  }
  $('needs-script').hidden = true;
  fillExample();

  $('request').addEventListener('submit', (event) => {
    event.preventDefault();
    run($('send'), sendReEncrypt);
  });
  $('encrypt-sample').addEventListener('click', () => run($('encrypt-sample'), encryptSample));
  $('decrypt-result').addEventListener('click', () => run($('decrypt-result'), decryptResult));
  $('copy-cli').addEventListener('click', copyCliCommand);
  $('reset-example').addEventListener('click', () => {
    fillExample();
    $('CiphertextBlob').focus();
  });
  $('load-keys').addEventListener('click', () => run($('load-keys'), () => loadKeys(true)));
  for (const id of ['access-key-id', 'secret-access-key', 'region']) {
    // Not through run(): a click on another button right after typing must not be lost.
    $(id).addEventListener('change', () => {
      if (credentials()) loadKeys(false);
    });
  }
  // A field's error shows when a request is built, and goes as soon as the field is right again.
  // (Not checked on change: the message would move the buttons under a pointer on its way to
  // "Send request", and that click would be lost.)
  for (const c of CONTEXTS) {
    $(c).addEventListener('input', () => {
      if ($(c).getAttribute('aria-invalid') === 'true') {
        try {
          context(c);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }
    });
  }
}

start();
