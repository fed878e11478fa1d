import warnings

def quiet(module):
    warnings.filterwarnings("ignore", module=module)
