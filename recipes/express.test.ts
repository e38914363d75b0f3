import { describe, it } from 'vitest';
import { checkRecipe } from './check-recipe.js';
import { start } from './express.js';

describe('recipe: express', () => {
  it('serves the app routes, Ghost on /ghost and a raw ws echo on /echo from one server', async () => {
    await checkRecipe(() => start(0));
  });
});
