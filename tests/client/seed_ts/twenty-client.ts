// Copied verbatim from the seed guide shared/seeds/001_9d61fee7d8167d03.txt,
// the TypeScript block under "Complete TypeScript Client".
// Nothing below the marker line is changed: tests/client/test_seed_typescript.py
// checks it still matches the seed, and at test time strips the type annotations
// (its TYPE_RULES list every rewrite) to run the code with node.
// The test also appends `export { client, person };` to the stripped module so the
// harness can read the usage block's result, and the harness's fetch wrapper sends
// the default http://localhost:8080 to the test server.
// ---- seed text below ----
// twenty-client.ts
export class TwentyClient {
  private apiKey: string;
  private baseUrl: string;

  constructor(apiKey: string, baseUrl: string = 'http://localhost:8080') {
    this.apiKey = apiKey;
    this.baseUrl = baseUrl;
  }

  private async request(query: string, variables?: any) {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Authorization': `Bearer ${this.apiKey}`
      },
      body: JSON.stringify({ query, variables })
    });

    if (!response.ok) {
      throw new Error(`API Error: ${response.statusText}`);
    }

    const result = await response.json();
    if (result.errors) {
      throw new Error(result.errors[0].message);
    }

    return result.data;
  }

  async createPerson(data: {
    name: string;
    email?: string;
    phone?: string;
    jobTitle?: string;
    companyId?: string;
  }) {
    const mutation = `
      mutation CreatePerson($input: PersonCreateInput!) {
        createPerson(data: $input) {
          id
          name
          email
          phone
          createdAt
        }
      }
    `;

    return this.request(mutation, { input: data });
  }

  async getPeople(filter?: any, first?: number, after?: string) {
    const query = `
      query GetPeople($filter: PersonFilterInput, $first: Int, $after: String) {
        people(filter: $filter, first: $first, after: $after) {
          edges {
            node {
              id
              name
              email
              phone
              company {
                id
                name
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `;

    return this.request(query, { filter, first, after });
  }

  async createCompany(data: {
    name: string;
    domain?: string;
    employees?: number;
    address?: string;
  }) {
    const mutation = `
      mutation CreateCompany($input: CompanyCreateInput!) {
        createCompany(data: $input) {
          id
          name
          domain
          employees
          createdAt
        }
      }
    `;

    return this.request(mutation, { input: data });
  }

  async updatePerson(id: string, data: Partial<{
    name: string;
    email: string;
    phone: string;
    jobTitle: string;
  }>) {
    const mutation = `
      mutation UpdatePerson($id: ID!, $input: PersonUpdateInput!) {
        updatePerson(id: $id, data: $input) {
          id
          name
          email
          phone
        }
      }
    `;

    return this.request(mutation, { id, input: data });
  }
}

// Usage
const client = new TwentyClient(process.env.TWENTY_API_KEY!);

const person = await client.createPerson({
  name: 'John Doe',
  email: 'john@example.com',
  phone: '+1-555-0123'
});
