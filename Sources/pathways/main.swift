print("pathways")
