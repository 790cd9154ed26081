console.log("pogoda");
