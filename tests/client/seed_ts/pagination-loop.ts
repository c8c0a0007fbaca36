// Copied verbatim from the seed guide shared/seeds/001_9d61fee7d8167d03.txt,
// the TypeScript block under "Pagination Loop:".
// Nothing below the marker line is changed: tests/client/test_seed_typescript.py
// checks it still matches the seed, and at test time strips the type annotations
// (its TYPE_RULES list every rewrite) to run the code with node.
// ---- seed text below ----
async function getAllPeople() {
  let allPeople = [];
  let cursor: string | null = null;
  let hasMore = true;

  while (hasMore) {
    const result = await client.getPeople(null, 100, cursor);
    allPeople.push(...result.people.edges.map(e => e.node));
    
    hasMore = result.people.pageInfo.hasNextPage;
    cursor = result.people.pageInfo.endCursor;
  }

  return allPeople;
}
