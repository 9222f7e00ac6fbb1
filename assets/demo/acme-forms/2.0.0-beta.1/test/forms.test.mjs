import test from 'node:test';
import assert from 'node:assert';
import { createRequire } from 'node:module';
import { createValidator, required, email, minLength, matches, min, max, custom } from '@acme/forms';

const signup = createValidator({
  email: [required(), email()],
  password: [required(), minLength(8)],
  confirm: [matches('password', 'Passwords differ')],
  age: [min(16), max(130)],
  nick: [custom(async (v) => v !== 'admin', 'Taken')]
});

test('valid input', async () => {
  assert.deepStrictEqual(await signup({ email: 'a@b.example', password: 'longenough', confirm: 'longenough', age: 30 }),
    { valid: true, errors: {} });
});

test('errors per field, async rules included', async () => {
  const r = await signup({ email: 'nope', password: 'short', confirm: 'x', age: 12, nick: 'admin' });
  assert.deepStrictEqual(r.errors, {
    email: ['Enter an email address'],
    password: ['Use at least 8 characters'],
    confirm: ['Passwords differ'],
    age: ['Must be at least 16'],
    nick: ['Taken']
  });
});

test('1.x schemas fail loudly', () => {
  assert.throws(() => createValidator({ email: { required: true } }), /must be an array/);
});

test('require() and import share one implementation', () => {
  const cjs = createRequire(import.meta.url)('@acme/forms');
  assert.strictEqual(cjs.createValidator, createValidator);
});
