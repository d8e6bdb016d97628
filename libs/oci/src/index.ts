export * from './grammar';
