import { challengeFor, isScriptRequest } from './script-challenge';

describe(challengeFor.name, () => {
  const bearer = () => 'Bearer realm="http://127.0.0.1:5000/oauth2/token",service="meridian"';
  const basic = 'Basic realm="meridian"';

  it('gives a script the Bearer challenge instead of Basic, which opens no browser dialog', () => {
    expect(challengeFor({ 'x-requested-with': 'XMLHttpRequest' }, basic, bearer)).toBe(bearer());
    expect(challengeFor({ 'x-requested-with': 'xmlhttprequest' }, basic, bearer)).toBe(bearer());
  });

  it('keeps Basic for every other client', () => {
    expect(challengeFor({}, basic, bearer)).toBe(basic);
    expect(challengeFor({ 'x-requested-with': 'curl' }, basic, bearer)).toBe(basic);
  });

  it('leaves a Bearer challenge (with its scope and error) as it is', () => {
    const scoped = 'Bearer realm="r",service="s",scope="repository:a:pull",error="invalid_token"';
    expect(challengeFor({ 'x-requested-with': 'XMLHttpRequest' }, scoped, bearer)).toBe(scoped);
  });

  it('recognises only the XMLHttpRequest marker', () => {
    expect(isScriptRequest({ 'x-requested-with': 'XMLHttpRequest' })).toBe(true);
    expect(isScriptRequest({ 'x-requested-with': ['XMLHttpRequest'] as never })).toBe(true);
    expect(isScriptRequest({})).toBe(false);
  });
});
