"""Invoice attachments: PUT/POST /Invoices/{id}/Attachments/{FileName} (raw bytes), the list, and the file
by id or by name. Files are kept in the state (base64), up to Xero's 10 per document and 25 MB each."""

from __future__ import annotations

import base64
import mimetypes
from typing import Any

from starlette.responses import Response

from . import messages, query, responses
from .accounting.invoices import find_invoice
from .accounting.listing import is_guid
from .gateway import Call
from .seed import new_id

MAX_FILES = 10
MAX_BYTES = 25 * 1024 * 1024


def listing(call: Call, record: dict[str, Any], files: list[dict[str, Any]]) -> Response:
    base = f"{call.base_url.rstrip('/')}/api.xro/2.0/Invoices/{record['InvoiceID']}/Attachments"
    views = [
        {
            "AttachmentID": item["AttachmentID"],
            "FileName": item["FileName"],
            "Url": f"{base}/{item['FileName']}",
            "MimeType": item["MimeType"],
            "ContentLength": item["ContentLength"],
            "IncludeOnline": item["IncludeOnline"],
        }
        for item in files
    ]
    return responses.json_response(responses.envelope(call.now_ms, "Attachments", views))


def get_attachments(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    return listing(call, record, record.get("Attachments", []))


def upload(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    name = call.request.path_params["FileName"]
    files = record.setdefault("Attachments", [])
    same = next((item for item in files if item["FileName"].lower() == name.lower()), None)
    problem = None
    if not call.body:
        problem = messages.ATTACHMENT_EMPTY
    elif len(call.body) > MAX_BYTES:
        problem = messages.ATTACHMENT_TOO_LARGE
    elif same is None and len(files) >= MAX_FILES:
        problem = messages.ATTACHMENT_TOO_MANY
    if problem:
        return responses.bad_request_message(problem)
    item = same or {"AttachmentID": new_id(), "FileName": name}
    sent_type = call.request.headers.get("content-type", "").split(";")[0].strip()
    item.update(
        # The SDKs send application/octet-stream: Xero names the type from the file name then.
        MimeType=sent_type
        if sent_type not in ("", "application/octet-stream")
        else mimetypes.guess_type(name)[0] or "application/octet-stream",
        ContentLength=len(call.body),
        IncludeOnline=query.flag(call.param("IncludeOnline")) or bool(same and same.get("IncludeOnline")),
        content=base64.b64encode(call.body).decode(),
    )
    if same is None:
        files.append(item)
    record["updated_ms"] = call.now_ms
    call.sandbox.store.changed()
    return listing(call, record, [item])


def download(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    key = call.request.path_params["FileName"]  # Xero's GET …/Attachments/{AttachmentID} or …/{FileName}
    for item in record.get("Attachments", []):
        if (is_guid(key) and item["AttachmentID"] == key.lower()) or item["FileName"].lower() == key.lower():
            # Xero's contract declares the file as application/octet-stream; MimeType says what it is.
            return Response(base64.b64decode(item["content"]), media_type="application/octet-stream")
    return responses.not_found()
