// Twenty's own REST client (npm twenty-client-sdk), unchanged, against Rolodex's
// Twenty dialect: the base URL is the one thing configured. Prints a JSON report.
import { RestApiClient, RestApiClientError } from "twenty-client-sdk/rest";

const client = new RestApiClient({
  baseUrl: process.env.TWENTY_BASE_URL,
  token: process.env.TWENTY_TOKEN,
});
const out = {};

const created = await client.post("/people", {
  name: { firstName: "Ada", lastName: "Lovelace" },
  emails: { primaryEmail: "ada@acme.com", additionalEmails: [] },
  city: "London",
});
const ada = created.data.createPerson;
out.createdName = ada.name;
out.createdEmail = ada.emails.primaryEmail;

const listed = await client.get("/people", {
  query: { filter: "name.firstName[eq]:Ada", limit: 10 },
});
out.listedNames = listed.data.people.map((p) => p.name.lastName);
out.totalCount = listed.totalCount;

const updated = await client.patch(`/people/${ada.id}`, {
  name: { firstName: "Ada", lastName: "King" },
});
out.updatedName = updated.data.updatePerson.name;

const company = await client.post("/companies", {
  name: "Acme",
  domainName: { primaryLinkUrl: "https://acme.com" },
  address: { addressCity: "Paris" },
});
out.companyCity = company.data.createCompany.address.addressCity;

const deal = await client.post("/opportunities", {
  name: "Deal",
  amount: { amountMicros: 2000000, currencyCode: "EUR" },
  companyId: company.data.createCompany.id,
});
out.dealAmount = deal.data.createOpportunity.amount;

try {
  await client.post("/people", { emails: { primaryEmail: "nope" } });
  out.error = null;
} catch (err) {
  out.error = err instanceof RestApiClientError ? { status: err.status, body: err.body } : String(err);
}

const removed = await client.delete(`/people/${ada.id}`);
out.deleted = Boolean(removed.data);
console.log(JSON.stringify(out));
