// Copied verbatim from the seed guide shared/seeds/001_9d61fee7d8167d03.txt,
// the TypeScript block under "Method 5: Upsert (Create or Update)".
// Nothing below the marker line is changed: tests/client/test_seed_typescript.py
// checks it still matches the seed, and at test time strips the type annotations
// (its TYPE_RULES list every rewrite) to run the code with node.
// ---- seed text below ----
async function upsertPerson(email: string, data: PersonData) {
  // Check if person exists
  const existing = await client.getPeople({ email: { eq: email } });
  
  if (existing.people.edges.length > 0) {
    // Update existing
    const personId = existing.people.edges[0].node.id;
    return await client.updatePerson(personId, data);
  } else {
    // Create new
    return await client.createPerson(data);
  }
}
