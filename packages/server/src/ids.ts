import { randomBytes } from 'node:crypto';

/** A short random id (12 base64url characters, 72 bits): short because it travels in every presence update. */
export function createId(): string {
  return randomBytes(9).toString('base64url');
}

/** A secret that proves a reconnecting client owned a connection. */
export function createSecret(): string {
  return randomBytes(18).toString('base64url');
}

// The golden angle spreads consecutive hues far apart, so neighbours in a room get distinct colours.
let hue = Math.floor(Math.random() * 360);

/** A CSS colour for a new connection. */
export function nextColor(): string {
  hue = (hue + 137.508) % 360;
  return `hsl(${Math.round(hue)} 75% 45%)`;
}
