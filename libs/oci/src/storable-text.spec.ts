import { isStorableText } from './storable-text';

describe(isStorableText.name, () => {
  it.each(['', 'latest', 'émoji 😀', '\u{10FFFF}'])('accepts %j', (value) => {
    expect(isStorableText(value)).toBe(true);
  });

  it.each(['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800'])('refuses %j', (value) => {
    expect(isStorableText(value)).toBe(false);
  });
});
