import { type RegistryError, webhookHeaderPlaceholder } from '@meridian/contracts';
import { keepRedactedValues, redactHeaderValues } from './custom-headers';

describe(redactHeaderValues.name, () => {
  it('keeps the names and hides every value', () => {
    expect(redactHeaderValues({ Authorization: 'Bearer t', 'X-Team': 'platform' })).toEqual({
      Authorization: webhookHeaderPlaceholder,
      'X-Team': webhookHeaderPlaceholder,
    });
  });
});

describe(keepRedactedValues.name, () => {
  const stored = { Authorization: 'Bearer stored', 'X-Team': 'platform' };

  it('keeps the stored value where the placeholder comes back, whatever the case', () => {
    expect(
      keepRedactedValues(
        { authorization: webhookHeaderPlaceholder, 'X-Team': 'payments', 'X-New': 'n' },
        stored,
      ),
    ).toEqual({ authorization: 'Bearer stored', 'X-Team': 'payments', 'X-New': 'n' });
  });

  it('drops what is no longer given', () => {
    expect(keepRedactedValues({ 'X-Team': webhookHeaderPlaceholder }, stored)).toEqual({
      'X-Team': 'platform',
    });
  });

  it('refuses a placeholder for a header with no stored value', () => {
    let error: RegistryError | undefined;
    try {
      keepRedactedValues({ 'X-Api-Key': webhookHeaderPlaceholder }, stored);
    } catch (caught) {
      error = caught as RegistryError;
    }
    expect(error?.code).toBe('REQUEST_INVALID');
    expect(error?.detail).toEqual({ header: 'X-Api-Key' });
  });
});
