import { describe, it } from 'vitest';
import { checkRecipe } from './check-recipe.js';
import { start } from './node-http.js';

describe('recipe: node-http', () => {
  it('serves the app routes, Ghost on /ghost and a raw ws echo on /echo from one server', async () => {
    await checkRecipe(() => start(0));
  });
});
