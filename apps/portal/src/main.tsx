/**
 * The portal's entry: Mantine's static stylesheet and the portal's own, then the app. The
 * theme's CSS variables come from that stylesheet, not from a runtime `<style>` tag, and no
 * responsive style props are used (Mantine writes those as `<style>` tags too): the CSP the
 * gateway sends allows styles from the portal's own files only.
 */
import '@mantine/core/styles.css';
import './portal.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
