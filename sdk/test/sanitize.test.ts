import { describe, expect, it } from 'vitest';
import { createSanitizer, headersToObject, MAX_BODY_LENGTH, parseHeaderBlock, REDACTED } from '../src/sanitize';

describe('sanitizer', () => {
  const s = createSanitizer({ headers: ['X-Custom-Token'], bodyKeys: ['creditCardNumber'], queryParams: ['ticket'] });

  it("redacts the PRD's default headers and the configured ones, whatever their case", () => {
    expect(s.headers({
      Authorization: 'Bearer abc', cookie: 'sid=1', 'Set-Cookie': 'a=b', 'x-api-key': 'k', 'X-Oopsie-Key': 'pk',
      'x-custom-token': 't', accept: 'application/json',
    })).toEqual({
      Authorization: REDACTED, cookie: REDACTED, 'Set-Cookie': REDACTED, 'x-api-key': REDACTED, 'X-Oopsie-Key': REDACTED,
      'x-custom-token': REDACTED, accept: 'application/json',
    });
  });

  it('redacts body keys at any depth of a JSON body, keeping the rest', () => {
    const body = JSON.stringify({
      user: { name: 'Jane', password: 'hunter2', profile: { ssn: '123', tags: [{ access_token: 'a', ok: 1 }] } },
      credit_card: '4111', creditCardNumber: '4242', newPassword: 'p', client_secret: 's', count: 3,
    });
    expect(JSON.parse(s.body(body)!)).toEqual({
      user: { name: 'Jane', password: REDACTED, profile: { ssn: REDACTED, tags: [{ access_token: REDACTED, ok: 1 }] } },
      credit_card: REDACTED, creditCardNumber: REDACTED, newPassword: REDACTED, client_secret: REDACTED, count: 3,
    });
  });

  it('redacts objects, form bodies, URLSearchParams and FormData', () => {
    expect(JSON.parse(s.body({ token: 'x', a: [{ secret: 1 }] })!)).toEqual({ token: REDACTED, a: [{ secret: REDACTED }] });
    expect(s.body('user=jane&password=hunter2')).toBe(`user=jane&password=${REDACTED}`);
    expect(s.body(new URLSearchParams({ q: 'a', refresh_token: 'r' }))).toBe(`q=a&refresh_token=${REDACTED}`);
    const fd = new FormData();
    fd.append('email', 'j@x.io');
    fd.append('passwd', 'p');
    expect(JSON.parse(s.body(fd)!)).toEqual({ email: 'j@x.io', passwd: REDACTED });
    expect(s.body(new Uint8Array(12))).toBe('[binary 12 bytes]');
    expect(s.body(new ReadableStream())).toBe('[ReadableStream]');
    expect(s.body(document)).toBe('[Document]');
  });

  it('redacts secrets in text that is not valid JSON, such as a truncated body', () => {
    const out = s.body('{"user":"jane","token":"abc.def","nested":{"password":"p\\"q"');
    expect(out).toBe(`{"user":"jane","token":"${REDACTED}","nested":{"password":"${REDACTED}"`);
  });

  it('truncates long bodies after redacting them', () => {
    const body = JSON.stringify({ password: 'p', filler: 'x'.repeat(10_000) });
    const out = s.body(body)!;
    expect(out.length).toBeLessThan(MAX_BODY_LENGTH + 20);
    expect(out).toMatch(/…\[truncated\]$/);
    expect(out.startsWith(`{"password":"${REDACTED}"`)).toBe(true);
  });

  it('redacts secret-looking URL parameters, in the query and the fragment, and passwords in the authority', () => {
    expect(s.url('https://api.example.com/v1/items?page=2&token=abc&api_key=k&ticket=t#section'))
      .toBe(`https://api.example.com/v1/items?page=2&token=${REDACTED}&api_key=${REDACTED}&ticket=${REDACTED}#section`);
    expect(s.url('https://app.example.com/cb#access_token=xyz&state=1')).toBe(`https://app.example.com/cb#access_token=${REDACTED}&state=1`);
    expect(s.url('https://app.example.com/#/login?code=42&next=%2F')).toBe(`https://app.example.com/#/login?code=${REDACTED}&next=%2F`);
    expect(s.url('https://bob:s3cret@example.com/x')).toBe(`https://bob:${REDACTED}@example.com/x`);
    expect(s.url('/relative/path?csrf_token=1&q=token')).toBe(`/relative/path?csrf_token=${REDACTED}&q=token`);
    expect(s.url('https://example.com/password/reset')).toBe('https://example.com/password/reset');
  });

  it('reads headers from every shape fetch and XHR give them in', () => {
    expect(headersToObject(new Headers({ 'X-A': '1' }))).toEqual({ 'x-a': '1' });
    expect(headersToObject([['X-B', '2']])).toEqual({ 'x-b': '2' });
    expect(headersToObject({ 'X-C': '3' })).toEqual({ 'x-c': '3' });
    expect(parseHeaderBlock('content-type: text/plain\r\nSet-Cookie: a=b\r\n')).toEqual({ 'content-type': 'text/plain', 'set-cookie': 'a=b' });
  });
});
