// Copied verbatim from the seed guide shared/seeds/001_9d61fee7d8167d03.txt,
// the TypeScript block under "Method 4: Create Person with Company".
// Nothing below the marker line is changed: tests/client/test_seed_typescript.py
// checks it still matches the seed, and at test time strips the type annotations
// (its TYPE_RULES list every rewrite) to run the code with node.
// `company.id` is undefined here (request() returns the data envelope), so the test
// also runs a corrected copy that reads `company.createCompany.id`.
// ---- seed text below ----
// Step 1: Create or find company
const company = await client.createCompany({
  name: 'Acme Corp',
  domain: 'acme.com',
  employees: 250
});

// Step 2: Create person linked to company
const person = await client.createPerson({
  name: 'John Doe',
  email: 'john@acme.com',
  companyId: company.id
});
