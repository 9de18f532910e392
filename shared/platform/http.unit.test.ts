import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from './errors.ts';
import { type HttpEvent, LARGEST_BODY_BYTES, MAX_BODY_BYTES, readJsonBody } from './http.ts';

const withBody = (body: string): HttpEvent =>
  ({ body, isBase64Encoded: false, headers: { 'content-type': 'application/json' } }) as unknown as HttpEvent;
const ofSize = (bytes: number) => withBody(JSON.stringify('x'.repeat(bytes - 2)));

describe('readJsonBody', () => {
  it('takes 256 KiB unless the route says more', () => {
    expect(readJsonBody(ofSize(MAX_BODY_BYTES))).toHaveLength(MAX_BODY_BYTES - 2);
    expect(() => readJsonBody(ofSize(MAX_BODY_BYTES + 1))).toThrow(PayloadTooLargeError);
    expect(readJsonBody(ofSize(MAX_BODY_BYTES + 1), 1024 * 1024)).toHaveLength(MAX_BODY_BYTES - 1);
  });

  it('never takes more than Lambda can be sent, whatever a route declares', () => {
    expect(() => readJsonBody(ofSize(LARGEST_BODY_BYTES + 1), 10 * 1024 * 1024)).toThrow(
      `The body is larger than ${LARGEST_BODY_BYTES} bytes`,
    );
  });
});
