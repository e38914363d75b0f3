import { describe, it } from 'vitest';
import { checkRecipe } from './check-recipe.js';
import { start } from './fastify.js';

describe('recipe: fastify', () => {
  it('serves the app routes, Ghost on /ghost and a raw ws echo on /echo from one server', async () => {
    await checkRecipe(() => start(0));
  });
});
