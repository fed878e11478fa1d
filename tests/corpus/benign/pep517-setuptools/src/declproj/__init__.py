def main():
    print("declproj")
