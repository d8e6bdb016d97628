import { PasswordSlot } from '@meridian/contracts';
import { z } from 'zod';

/** `{1|2}` in `/passwords/{slot}/…`: which of the two passwords. */
export const SlotParam = z.coerce.number().pipe(PasswordSlot);
