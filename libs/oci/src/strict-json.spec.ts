import { findDuplicateKey, findUnstorableString } from './strict-json';

describe(findDuplicateKey.name, () => {
  it.each([
    ['{}'],
    ['{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'],
    ['{"a":"b\\"a","b":"{\\"a\\":1}"}'],
    ['["a","a"]'],
    ['{"a":["a","a"],"b":1}'],
  ])('finds none in %s', (text) => {
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"x":{"b":1,"c":[1,{}],"b":2}}', 'b'],
    ['[{"a":1},{"k":1,"k":1}]', 'k'],
    ['{"a":1,"\\u0061":2}', 'a'],
    [' { "a" : 1 , "a" : 2 } ', 'a'],
  ])('finds the repeated key in %s', (text, key) => {
    expect(findDuplicateKey(text)).toBe(key);
  });
});

describe(findUnstorableString.name, () => {
  it('finds none in ordinary JSON', () => {
    expect(findUnstorableString(JSON.parse('{"a":["b",1,null,{"c":"😀"}]}'))).toBeUndefined();
  });

  it.each([['{"a":"\\u0000"}'], ['{"\\ud800":1}'], ['[[{"a":"x\\udc00"}]]']])(
    'finds a NUL or a lone surrogate in %s',
    (text) => {
      expect(findUnstorableString(JSON.parse(text))).toBeDefined();
    },
  );
});
