export { freePort } from '@meridian/process';
