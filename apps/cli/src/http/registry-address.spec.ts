import { parseRegistryAddress } from './registry-address';

describe(parseRegistryAddress.name, () => {
  it.each([
    ['registry.example.com', 'registry.example.com', 'https://registry.example.com'],
    ['registry.example.com:5000', 'registry.example.com:5000', 'https://registry.example.com:5000'],
    ['127.0.0.1:5000', '127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['localhost:5000', 'localhost:5000', 'http://localhost:5000'],
    ['http://r.internal:5000/', 'r.internal:5000', 'http://r.internal:5000'],
    ['https://127.0.0.1:5000', '127.0.0.1:5000', 'https://127.0.0.1:5000'],
  ])('%s', (input, host, baseUrl) => {
    expect(parseRegistryAddress(input)).toEqual({ host, baseUrl });
  });

  it.each(['', 'ftp://r', 'https://u:p@r', 'https://r/v2/'])('refuses "%s"', (input) => {
    expect(() => parseRegistryAddress(input)).toThrow();
  });
});
