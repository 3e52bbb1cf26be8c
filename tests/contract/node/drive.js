// Drives the Xero sandbox with xero-node, Xero's official Node SDK, as an app would; prints what it parsed.
//
//   node drive.js <scenario> '<json arguments>'   →   one JSON object on stdout
//
// The SDK is used as published; only its addresses change: the OpenID issuer it discovers and the API base
// paths it calls (`Issuer.discover` and `https://api.xero.com` are hard-wired in xero-node, so the sandbox's
// address takes their place here, as a proxy in front of Xero would).
'use strict';

const axios = require('axios');
const { Issuer } = require('openid-client');
const { XeroClient, Invoice, Contact, Payment } = require('xero-node');

const [scenario, rawArgs] = process.argv.slice(2);
const args = JSON.parse(rawArgs || '{}');
const base = args.base;

axios.interceptors.request.use((config) => {
  config.url = config.url.replace('https://api.xero.com', base).replace('https://identity.xero.com', base);
  return config;
});

function client(scopes) {
  const xero = new XeroClient({
    clientId: args.clientId,
    clientSecret: args.clientSecret,
    redirectUris: [args.redirect || 'http://localhost:3000/oauth/xero/callback'],
    scopes: scopes || ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions'],
    state: 'node-state-42',
  });
  xero.accountingApi.basePath = `${base}/api.xro/2.0`;
  if (args.accessToken) {
    xero.setTokenSet({ access_token: args.accessToken, token_type: 'Bearer', expires_in: 1800 });
  }
  return xero;
}

// xero-node rejects with a JSON string: {"response": {"statusCode", "body", "headers"}, "body"}.
async function failure(promise) {
  try {
    await promise;
  } catch (raw) {
    const error = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const response = error.response || {};
    return { statusCode: response.statusCode, headers: response.headers || {}, body: response.body };
  }
  throw new Error('expected the call to fail');
}

function isDate(value) {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function invoiceView(invoice) {
  return {
    model: invoice instanceof Invoice,
    invoiceID: invoice.invoiceID,
    invoiceNumber: invoice.invoiceNumber,
    type: invoice.type,
    status: invoice.status,
    lineAmountTypes: invoice.lineAmountTypes,
    dateIsDate: isDate(invoice.date),
    dueDateIsDate: isDate(invoice.dueDate),
    updatedIsDate: isDate(invoice.updatedDateUTC),
    total: invoice.total,
    amountDue: invoice.amountDue,
    amountPaid: invoice.amountPaid,
    statusAttributeString: invoice.statusAttributeString,
    hasErrors: invoice.hasErrors,
    messages: (invoice.validationErrors || []).map((error) => error.message),
    fullyPaidOnDateIsDate: isDate(invoice.fullyPaidOnDate),
  };
}

function saleFor(contactID, number, amount) {
  return {
    type: Invoice.TypeEnum.ACCREC,
    contact: { contactID },
    date: '2026-03-11',
    dueDate: '2026-03-25',
    invoiceNumber: number,
    lineAmountTypes: 'Exclusive',
    status: Invoice.StatusEnum.AUTHORISED,
    lineItems: [{ description: 'Labour', quantity: 1, unitAmount: amount, accountCode: '200', taxType: 'OUTPUT' }],
  };
}

const scenarios = {
  async signin() {
    const xero = client();
    const issuer = await Issuer.discover(base);
    xero.openIdClient = new issuer.Client({
      client_id: args.clientId,
      client_secret: args.clientSecret,
      redirect_uris: [args.redirect],
    });
    const consentUrl = await xero.buildConsentUrl();
    const page = await axios.get(consentUrl);
    const fields = new URLSearchParams();
    for (const [, name, value] of page.data.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields.append(name, value.replace(/&amp;/g, '&'));
    }
    fields.append('email', 'node.person@example.com');
    fields.append('password', 'pw');
    fields.append('action', 'allow');
    fields.append('tenant', args.tenantId);
    const allowed = await axios.post(`${base}/identity/connect/authorize`, fields.toString(), {
      maxRedirects: 0,
      validateStatus: (status) => status === 302,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const tokenSet = await xero.apiCallback(allowed.headers.location); // openid-client checks the id_token
    const claims = tokenSet.claims();
    const tenants = await xero.updateTenants(true);
    const refreshed = await xero.refreshToken();
    return {
      issuer: issuer.issuer,
      claims: { iss: claims.iss, aud: claims.aud, email: claims.email, sub: claims.sub },
      tenants: tenants.map((t) => ({ tenantId: t.tenantId, name: t.orgData && t.orgData.name })),
      refreshedIsNew: refreshed.refresh_token !== tokenSet.refresh_token,
    };
  },

  async contacts() {
    const xero = client();
    const made = await xero.accountingApi.createContacts(args.tenantId, {
      contacts: [{ name: args.name, emailAddress: 'node@example.com', isCustomer: true, isSupplier: true }],
    });
    const contact = made.body.contacts[0];
    const listed = await xero.accountingApi.getContacts(args.tenantId);
    return {
      model: contact instanceof Contact,
      contactID: contact.contactID,
      contactStatus: contact.contactStatus,
      isCustomer: contact.isCustomer,
      isSupplier: contact.isSupplier,
      updatedIsDate: isDate(contact.updatedDateUTC),
      listed: listed.body.contacts.some((c) => c.contactID === contact.contactID),
    };
  },

  async invoices() {
    const xero = client();
    const contactID = args.contactId;
    const untyped = saleFor(contactID, undefined, 5);
    delete untyped.type; // Xero answers this element with "Invoice Type must be specified"
    const batch = { invoices: [saleFor(contactID, args.number, 100), untyped] };
    const first = await xero.accountingApi.createInvoices(args.tenantId, batch, false, 4, args.key);
    const replay = await xero.accountingApi.createInvoices(args.tenantId, batch, false, 4, args.key);
    const reused = await failure(
      xero.accountingApi.createInvoices(args.tenantId, { invoices: [saleFor(contactID, 'OTHER-1', 1)] }, false, 4, args.key),
    );
    const contact = await xero.accountingApi.getContact(args.tenantId, contactID);
    return {
      elements: first.body.invoices.map(invoiceView),
      replayIDs: replay.body.invoices.map((i) => i.invoiceID),
      reusedKey: { statusCode: reused.statusCode, message: reused.body && reused.body.Message },
      contactIsCustomer: contact.body.contacts[0].isCustomer,
    };
  },

  async payments() {
    const xero = client();
    const payment = {
      invoice: { invoiceID: args.invoiceId },
      account: { code: '090' },
      date: '2026-03-12',
      amount: args.amount,
      reference: 'node payment',
    };
    const made = await xero.accountingApi.createPayment(args.tenantId, payment, args.key);
    const paid = await xero.accountingApi.getInvoice(args.tenantId, args.invoiceId);
    const created = made.body.payments[0];
    return {
      model: created instanceof Payment,
      status: created.status,
      paymentType: created.paymentType,
      amount: created.amount,
      dateIsDate: isDate(created.date),
      invoice: invoiceView(paid.body.invoices[0]),
    };
  },

  async failure() {
    const xero = client();
    return failure(xero.accountingApi.getOrganisations(args.tenantId));
  },
};

scenarios[scenario]()
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((error) => {
    process.stderr.write(`${typeof error === 'string' ? error : (error && error.stack) || error}\n`);
    process.exit(1);
  });
