# ruff: noqa: E501
"""The seed guide's GraphQL blocks (seed 001), byte for byte, one constant per block.

Several blocks hold more than one operation; tests send them whole with an
``operationName``, as well as one operation at a time (``operations``).
"""

from __future__ import annotations

import re

# Core Features > 1. People (Contacts) Management
PEOPLE_BLOCK = """# Create Person
mutation CreatePerson($input: PersonCreateInput!) {
  createPerson(data: $input) {
    id
    name
    email
    phone
    jobTitle
    company { id name }
    createdAt
  }
}

# Query People
query GetPeople($filter: PersonFilterInput, $first: Int, $after: String) {
  people(filter: $filter, first: $first, after: $after) {
    edges {
      node {
        id
        name
        email
        phone
        company { name }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}

# Update Person
mutation UpdatePerson($id: ID!, $input: PersonUpdateInput!) {
  updatePerson(id: $id, data: $input) {
    id
    name
    email
  }
}

# Delete Person
mutation DeletePerson($id: ID!) {
  deletePerson(id: $id) {
    success
  }
}
"""

# Core Features > 2. Companies Management
COMPANIES_BLOCK = """# Create Company
mutation CreateCompany($input: CompanyCreateInput!) {
  createCompany(data: $input) {
    id
    name
    domain
    employees
    address
    createdAt
  }
}

# Query Companies
query GetCompanies {
  companies {
    edges {
      node {
        id
        name
        domain
        employees
        people { id name }
      }
    }
  }
}
"""

# Core Features > 3. Notes Management
NOTES_BLOCK = """# Create Note
mutation CreateNote($input: NoteCreateInput!) {
  createNote(data: $input) {
    id
    body
    author { id name }
    createdAt
  }
}

# Query Notes
query GetNotes($personId: ID!) {
  person(id: $personId) {
    notes {
      edges {
        node {
          id
          body
          createdAt
        }
      }
    }
  }
}
"""

# Core Features > 4. Tasks Management
TASKS_BLOCK = """# Create Task
mutation CreateTask($input: TaskCreateInput!) {
  createTask(data: $input) {
    id
    title
    status
    dueDate
    assignee { id name }
  }
}

# Query Tasks
query GetTasks($filter: TaskFilterInput!) {
  tasks(filter: $filter) {
    edges {
      node {
        id
        title
        status
        dueDate
      }
    }
  }
}
"""

# Core Features > 5. Custom Fields
CUSTOM_FIELDS_BLOCK = """# Get Metadata (to see custom fields)
query GetPersonMetadata {
  metadata {
    objects(name: "person") {
      fields {
        name
        type
        isCustom
      }
    }
  }
}

# Create Person with Custom Fields
mutation CreatePersonWithCustomFields($input: PersonCreateInput!) {
  createPerson(data: $input) {
    id
    customFields {
      fieldId
      value
    }
  }
}
"""

# Use Cases > 6. Reporting & Analytics
SALES_REPORT = """query SalesReport($startDate: DateTime!, $endDate: DateTime!) {
  people(filter: { createdAt: { gte: $startDate, lte: $endDate } }) {
    edges {
      node {
        name
        email
        company { name }
        notes { body }
      }
    }
  }
}
"""

# Commands & Examples > Create Person (GraphQL)
CREATE_PERSON_LITERAL = """mutation CreatePerson {
  createPerson(data: {
    name: "Jane Smith"
    email: "jane.smith@example.com"
    phone: "+1-555-0456"
    jobTitle: "Marketing Director"
  }) {
    id
    name
    email
    createdAt
  }
}
"""

# Commands & Examples > Query People with Filter (GraphQL)
GET_PEOPLE_BY_EMAIL = """query GetPeopleByEmail {
  people(filter: { email: { eq: "john@example.com" } }) {
    edges {
      node {
        id
        name
        email
        phone
        company {
          name
        }
      }
    }
  }
}
"""

# Commands & Examples > Batch Create People (GraphQL)
BATCH_CREATE_PEOPLE = """mutation BatchCreatePeople($inputs: [PersonCreateInput!]!) {
  batchCreatePeople(data: $inputs) {
    id
    name
    email
  }
}
"""

# Advanced Features > 1. Custom Fields
ADVANCED_CUSTOM_FIELDS_BLOCK = """# Get available custom fields
query GetCustomFields {
  metadata {
    objects(name: "person") {
      fields {
        name
        type
        isCustom
      }
    }
  }
}

# Create person with custom field
mutation CreatePersonWithCustomField {
  createPerson(data: {
    name: "John Doe"
    email: "john@example.com"
    customFields: [
      { fieldId: "custom_field_id", value: "Custom Value" }
    ]
  }) {
    id
    customFields {
      fieldId
      value
    }
  }
}
"""

# Advanced Features > 2. Relationships
RELATIONSHIPS_BLOCK = """# Link person to company
mutation LinkPersonToCompany($personId: ID!, $companyId: ID!) {
  updatePerson(id: $personId, data: { companyId: $companyId }) {
    id
    company {
      id
      name
    }
  }
}

# Add note to person
mutation AddNoteToPerson($personId: ID!, $body: String!) {
  createNote(data: {
    personId: $personId
    body: $body
  }) {
    id
    body
    createdAt
  }
}
"""

# Advanced Features > 3. Pagination
GET_PEOPLE_PAGINATED = """query GetPeoplePaginated($first: Int, $after: String) {
  people(first: $first, after: $after) {
    edges {
      node {
        id
        name
        email
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
}
"""

# Advanced Features > 4. Filtering & Searching
SEARCH_PEOPLE = """query SearchPeople($search: String!) {
  people(filter: {
    or: [
      { name: { contains: $search } }
      { email: { contains: $search } }
      { phone: { contains: $search } }
    ]
  }) {
    edges {
      node {
        id
        name
        email
        phone
      }
    }
  }
}
"""

# Advanced Features > 5. Sorting
GET_PEOPLE_SORTED = """query GetPeopleSorted($orderBy: PersonOrderByInput!) {
  people(orderBy: $orderBy) {
    edges {
      node {
        id
        name
        email
        createdAt
      }
    }
  }
}

# Variables
# { "orderBy": { "createdAt": "DESC" } }
"""

# Quick Reference > Create Person
QUICK_CREATE_PERSON = """mutation { createPerson(data: {name: "John", email: "john@example.com"}) { id } }
"""

# Quick Reference > Get People
QUICK_GET_PEOPLE = """query { people { edges { node { id name email } } } }
"""

# Quick Reference > Update Person
QUICK_UPDATE_PERSON = """mutation { updatePerson(id: "id", data: {phone: "+1234"}) { id } }
"""

# Quick Reference > Delete Person
QUICK_DELETE_PERSON = """mutation { deletePerson(id: "id") { success } }
"""


# The guide's curl example: the exact -d argument (its JSON escapes included).
CURL_BODY = """{
    "query": "mutation CreatePerson { createPerson(data: { name: \\"Jane Smith\\", email: \\"jane@example.com\\" }) { id name email } }"
  }"""

# The guide's BatchCreatePeople variables, as printed.
BATCH_VARIABLES = """{
  "inputs": [
    { "name": "Person 1", "email": "person1@example.com" },
    { "name": "Person 2", "email": "person2@example.com" },
    { "name": "Person 3", "email": "person3@example.com" }
  ]
}"""

_OPERATION = re.compile(r"^(?:query|mutation)\b", re.M)


def operations(block: str) -> dict[str, str]:
    """Each named operation of a block, as its own document (comments between dropped)."""
    starts = [m.start() for m in _OPERATION.finditer(block)]
    out: dict[str, str] = {}
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(block)
        text = block[start:end]
        text = re.sub(r"(?m)^#.*\n?", "", text).rstrip() + "\n"
        name = re.match(r"(?:query|mutation)\s+(\w+)", text)
        out[name.group(1) if name else f"anonymous{i}"] = text
    return out


# The TypeScript client's documents (Commands & Examples > Complete TypeScript Client).

TS_CREATE_PERSON = """
      mutation CreatePerson($input: PersonCreateInput!) {
        createPerson(data: $input) {
          id
          name
          email
          phone
          createdAt
        }
      }
    """

TS_GET_PEOPLE = """
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
    """

TS_CREATE_COMPANY = """
      mutation CreateCompany($input: CompanyCreateInput!) {
        createCompany(data: $input) {
          id
          name
          domain
          employees
          createdAt
        }
      }
    """

TS_UPDATE_PERSON = """
      mutation UpdatePerson($id: ID!, $input: PersonUpdateInput!) {
        updatePerson(id: $id, data: $input) {
          id
          name
          email
          phone
        }
      }
    """


# The Python example (Commands & Examples > Python Examples), byte for byte.

PYTHON_EXAMPLE = '''# twenty_client.py
import requests
from typing import Optional, Dict, Any

class TwentyClient:
    def __init__(self, api_key: str, base_url: str = "http://localhost:8080"):
        self.api_key = api_key
        self.base_url = base_url
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {api_key}"
        }

    def _request(self, query: str, variables: Optional[Dict] = None) -> Dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/graphql",
            headers=self.headers,
            json={"query": query, "variables": variables or {}}
        )
        response.raise_for_status()
        result = response.json()
        
        if "errors" in result:
            raise Exception(result["errors"][0]["message"])
        
        return result["data"]

    def create_person(self, name: str, email: Optional[str] = None, 
                     phone: Optional[str] = None, job_title: Optional[str] = None):
        mutation = """
        mutation CreatePerson($input: PersonCreateInput!) {
            createPerson(data: $input) {
                id
                name
                email
                phone
                createdAt
            }
        }
        """
        
        variables = {
            "input": {
                "name": name,
                "email": email,
                "phone": phone,
                "jobTitle": job_title
            }
        }
        
        return self._request(mutation, variables)

    def get_people(self, filter: Optional[Dict] = None, first: int = 100):
        query = """
        query GetPeople($filter: PersonFilterInput, $first: Int) {
            people(filter: $filter, first: $first) {
                edges {
                    node {
                        id
                        name
                        email
                        phone
                        company {
                            name
                        }
                    }
                }
            }
        }
        """
        
        return self._request(query, {"filter": filter, "first": first})

# Usage
client = TwentyClient(api_key=os.getenv("TWENTY_API_KEY"))

person = client.create_person(
    name="Jane Smith",
    email="jane@example.com",
    phone="+1-555-0456"
)

people = client.get_people()
'''
