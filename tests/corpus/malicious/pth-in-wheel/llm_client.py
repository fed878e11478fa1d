def complete(prompt, model="small"):
    return {"model": model, "prompt": prompt}
