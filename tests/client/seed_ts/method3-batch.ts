// Copied verbatim from the seed guide shared/seeds/001_9d61fee7d8167d03.txt,
// the TypeScript block under "Method 3: Batch API Calls".
// Nothing below the marker line is changed: tests/client/test_seed_typescript.py
// checks it still matches the seed, and at test time strips the type annotations
// (its TYPE_RULES list every rewrite) to run the code with node.
// ---- seed text below ----
// Create multiple people efficiently
const people = [
  { name: 'Person 1', email: 'person1@example.com' },
  { name: 'Person 2', email: 'person2@example.com' },
  { name: 'Person 3', email: 'person3@example.com' }
];

// Use Promise.all for parallel execution (with rate limiting)
const BATCH_SIZE = 10;
for (let i = 0; i < people.length; i += BATCH_SIZE) {
  const batch = people.slice(i, i + BATCH_SIZE);
  await Promise.all(
    batch.map(person => client.createPerson(person))
  );
  // Rate limiting: wait between batches
  await new Promise(resolve => setTimeout(resolve, 1000));
}
