def notify(title, body):
    return {"title": title, "body": body}
